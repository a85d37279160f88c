"""Open311 GeoReport v2 (JSON): services, service requests, status mapping, errors, privacy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from open311_testkit import (
    BASE,
    FULL_FIELDS,
    SECRET_EMAIL,
    SECRET_NAME,
    SECRET_PHONE,
    assert_spec_error,
    created_id,
    submit,
)


def test_services_list_every_category(api_client: TestClient) -> None:
    services = api_client.get(f"{BASE}/services.json").json()
    assert len(services) == 7
    traffic = next(s for s in services if s["service_code"] == "traffic")
    assert traffic["service_name"] == "Giao thông"
    assert set(traffic) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert traffic["metadata"] is False and traffic["type"] == "realtime"


def test_service_definition_and_unknown_service(api_client: TestClient) -> None:
    assert api_client.get(f"{BASE}/services/traffic.json").json() == {
        "service_code": "traffic",
        "attributes": [],
    }
    assert_spec_error(api_client.get(f"{BASE}/services/nope.json"), 404)


def test_post_form_encoded_request(api_client: TestClient, api_key: str) -> None:
    response = submit(api_client, api_key)
    assert response.status_code == 201
    [answer] = response.json()
    assert answer["service_request_id"].startswith("PA-") and "Thời hạn xử lý" in answer["service_notice"]


def test_api_key_in_the_query_string(api_client: TestClient, api_key: str) -> None:
    form = {"service_code": "traffic", "address_string": "Tân Thạnh", "description": "Đèn tín hiệu hỏng"}
    response = api_client.post(f"{BASE}/requests.json", params={"api_key": api_key}, data=form)
    assert response.status_code == 201


def test_api_key_in_a_header(api_client: TestClient, key_header: dict[str, str]) -> None:
    form = {"service_code": "traffic", "address_string": "Tân Thạnh", "description": "Đèn tín hiệu hỏng"}
    response = api_client.post(f"{BASE}/requests.json", headers=key_header, data=form)
    assert response.status_code == 201


def test_post_json_request(api_client: TestClient, api_key: str) -> None:
    body = {
        "api_key": api_key,
        "service_code": "environment",
        "address_string": "Cẩm Châu",
        "description": "Rác thải ven sông",
    }
    response = api_client.post(f"{BASE}/requests.json", json=body)
    assert response.status_code == 201 and response.json()[0]["service_request_id"].startswith("PA-")


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"api_key": ""}, 403),
        ({"api_key": "wrong"}, 403),
        ({"service_code": "unknown"}, 400),
        ({"service_code": ""}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "48.85", "long": "2.35"}, 400),
        ({"lat": "", "long": "", "address_string": ""}, 400),
        ({"description": ""}, 400),
        ({"description": "x" * 4001}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
    ],
)
def test_bad_requests_get_the_spec_error_array(
    api_client: TestClient, api_key: str, overrides: dict[str, str], status: int
) -> None:
    assert_spec_error(submit(api_client, api_key, **overrides), status)


def test_malformed_json_gets_the_spec_error_array(api_client: TestClient) -> None:
    response = api_client.post(
        f"{BASE}/requests.json", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_spec_error(response, 400)


def test_get_one_request_with_spec_fields_and_no_contact(
    api_client: TestClient, api_key: str, key_header: dict[str, str]
) -> None:
    code = created_id(api_client, api_key)
    response = api_client.get(f"{BASE}/requests/{code}.json", headers=key_header)
    assert response.status_code == 200
    [request] = response.json()
    assert set(request) == FULL_FIELDS
    assert request["service_request_id"] == code and request["status"] == "open"
    assert request["service_code"] == "infrastructure" and request["service_name"] == "Hạ tầng đô thị"
    assert (request["lat"], request["long"]) == (15.8794, 108.335)
    assert request["media_url"] == "https://example.org/photos/o-ga.jpg"
    assert request["requested_datetime"].endswith("+07:00") and request["expected_datetime"].endswith(
        "+07:00"
    )
    assert request["agency_responsible"]
    for secret in (SECRET_EMAIL, SECRET_NAME, SECRET_PHONE, "Thị Kín"):
        assert secret not in response.text
    assert_spec_error(api_client.get(f"{BASE}/requests/PA-1999-000001.json"), 404)


def test_status_mapping_and_notes(
    api_client: TestClient, api_key: str, key_header: dict[str, str], service_headers: dict[str, str]
) -> None:
    resolved, rejected, original, duplicate, open_one = (created_id(api_client, api_key) for _ in range(5))

    def change(code: str, status: str, text: str | None = None) -> None:
        response = api_client.post(
            f"/api/v1/tickets/{code}/status", json={"status": status, "text": text}, headers=service_headers
        )
        assert response.status_code == 200, response.text

    change(resolved, "resolved", "Đã vá ổ gà.")
    change(rejected, "rejected", "Thuộc thẩm quyền Sở Giao thông vận tải.")
    change(open_one, "in_progress")
    marked = api_client.post(
        f"/api/v1/tickets/{duplicate}/duplicate-of", json={"original_code": original}, headers=service_headers
    )
    assert marked.status_code == 200
    ids = ",".join([resolved, rejected, duplicate, open_one])
    found = {
        r["service_request_id"]: r
        for r in api_client.get(
            f"{BASE}/requests.json", params={"service_request_id": ids}, headers=key_header
        ).json()
    }
    assert {code: r["status"] for code, r in found.items()} == {
        resolved: "closed",
        rejected: "closed",
        duplicate: "closed",
        open_one: "open",
    }
    assert found[resolved]["status_notes"] == "Đã vá ổ gà."
    assert "Sở Giao thông" in found[rejected]["status_notes"]
    assert original in found[duplicate]["status_notes"]


def test_list_filters(
    api_client: TestClient, api_key: str, key_header: dict[str, str], service_headers: dict[str, str]
) -> None:
    security = created_id(api_client, api_key, service_code="security")
    closed = created_id(api_client, api_key, service_code="security")
    api_client.post(
        f"/api/v1/tickets/{closed}/status",
        json={"status": "rejected", "text": "Không thuộc thẩm quyền."},
        headers=service_headers,
    )
    listed = api_client.get(
        f"{BASE}/requests.json", params={"service_code": "security"}, headers=key_header
    ).json()
    assert {security, closed} <= {r["service_request_id"] for r in listed}
    assert all(r["service_code"] == "security" for r in listed)
    open_ones = api_client.get(
        f"{BASE}/requests.json", params={"service_code": "security", "status": "open"}, headers=key_header
    ).json()
    assert security in {r["service_request_id"] for r in open_ones} and closed not in {
        r["service_request_id"] for r in open_ones
    }
    closed_ones = api_client.get(
        f"{BASE}/requests.json", params={"service_code": "security", "status": "closed"}, headers=key_header
    ).json()
    assert {r["service_request_id"] for r in closed_ones} == {closed}
    old = api_client.get(
        f"{BASE}/requests.json",
        params={"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-12-31T00:00:00+07:00"},
    )
    assert old.json() == []
    assert_spec_error(api_client.get(f"{BASE}/requests.json", params={"start_date": "hôm qua"}), 400)
    assert_spec_error(api_client.get(f"{BASE}/requests.json", params={"status": "pending"}), 400)


def test_open311_requesters_get_no_push_notifications(
    api_client: TestClient, api_key: str, service_headers: dict[str, str], backend_container: Any
) -> None:
    """Open311 clients poll for status; nothing is queued that no channel could deliver."""
    code = created_id(api_client, api_key)
    response = api_client.post(
        f"/api/v1/tickets/{code}/status", json={"status": "in_progress"}, headers=service_headers
    )
    assert response.status_code == 200, response.text
    with backend_container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        assert list(uow.outbox.for_ticket(ticket.id)) == []


def _post_json(client: TestClient, body: bytes, **params: str) -> Any:
    headers = {"Content-Type": "application/json"}
    return client.post(f"{BASE}/requests.json", content=body, headers=headers, params=params)


def test_deeply_nested_json_is_refused_before_and_after_the_key_check(
    api_client: TestClient, api_key: str
) -> None:
    deep = b"[" * 1000 + b"]" * 1000

    assert_spec_error(_post_json(api_client, deep, api_key="wrong"), 403)
    assert_spec_error(_post_json(api_client, deep, api_key=api_key), 400)
    assert_spec_error(_post_json(api_client, deep), 400)


def test_a_lone_surrogate_in_a_json_request_is_refused(api_client: TestClient, api_key: str) -> None:
    body = {"api_key": api_key, "service_code": "environment\ud800", "address_string": "Cẩm Châu"}

    response = _post_json(api_client, json.dumps(body).encode())

    assert_spec_error(response, 400)
    assert "surrogate" in response.json()[0]["description"]


@pytest.mark.parametrize(
    "path", ["/services/0%00.json", "/requests/0%00.json", "/requests.json?service_code=a%00"]
)
def test_a_nul_character_gets_the_spec_error_array(api_client: TestClient, path: str) -> None:
    response = api_client.get(BASE + path)

    assert_spec_error(response, 400)
    assert "NUL" in response.json()[0]["description"]
