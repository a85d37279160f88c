"""What the Open311 feed publishes: the public record to anyone, the full record to API-key clients."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from open311_testkit import BASE, PUBLIC_FIELDS, assert_spec_error, created_id

NAME, PHONE, HOUSE = "Trần Thị Mười", "0905 111 222", "số 12 kiệt 45 Lý Thường Kiệt"
LAT, LONG = 15.8801, 108.3380
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def secrets_of(marker: str) -> list[str]:
    """Every piece of a report that must stay out of the public feed."""
    return [
        marker,
        NAME,
        PHONE,
        "0905111222",
        HOUSE,
        "Lý Thường Kiệt",
        str(LAT),
        str(LONG),
        "/media/",
        ".jpg",
    ]


@pytest.fixture
def reported(api_client: TestClient, service_headers: dict[str, str]) -> tuple[str, str, str]:
    """(code, marker, photo url) of a resolved report naming a person, a phone and a house, with
    coordinates and a photo, filed through the API as the bot files it; the answer quotes the citizen."""
    marker = uuid.uuid4().hex[:10]
    body = {
        "category": "infrastructure",
        "description": f"Bà {NAME} ({PHONE}) báo cống vỡ trước {HOUSE} {marker}",
        "location_text": HOUSE,
        "area": "Cẩm Châu",
        "latitude": LAT,
        "longitude": LONG,
        "contact": {
            "channel": "telegram",
            "channel_user_id": f"u-{marker}",
            "display_name": NAME,
            "phone": PHONE,
        },
    }
    created = api_client.post("/api/v1/tickets", json=body, headers=service_headers)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    files = {"file": ("cong-vo.jpg", JPEG, "image/jpeg")}
    photo = api_client.post(f"/api/v1/tickets/{code}/photos", files=files, headers=service_headers)
    assert photo.status_code == 201, photo.text
    answer = {"status": "resolved", "text": f"Đã sửa cống trước nhà bà {NAME}, {HOUSE} {marker}."}
    resolved = api_client.post(f"/api/v1/tickets/{code}/status", json=answer, headers=service_headers)
    assert resolved.status_code == 200, resolved.text
    return code, marker, photo.json()["url"]


def assert_public(response: Any, marker: str) -> list[dict[str, Any]]:
    """A 200 whose records hold only the public fields and none of the report's secrets."""
    assert response.status_code == 200, response.text
    assert all(set(record) == PUBLIC_FIELDS for record in response.json())
    for secret in secrets_of(marker):
        assert secret not in response.text
    return list(response.json())


def test_the_public_feed_has_no_citizen_text_answer_place_coordinates_or_photo(
    api_client: TestClient, reported: tuple[str, str, str]
) -> None:
    code, marker, _ = reported
    [one] = assert_public(api_client.get(f"{BASE}/requests/{code}.json"), marker)
    listed = assert_public(api_client.get(f"{BASE}/requests.json"), marker)
    assert one in listed
    assert one["status"] == "closed" and one["service_name"] == "Hạ tầng đô thị"
    assert one["address"] == "Phường Hội An Đông, Hội An"


def test_security_tickets_are_not_public_and_not_told_apart_from_missing_ones(
    api_client: TestClient, api_key: str
) -> None:
    code = created_id(api_client, api_key, service_code="security", description="Tụ tập đánh bạc ở kiệt 7")
    listed = api_client.get(f"{BASE}/requests.json").json()
    assert all(r["service_code"] != "security" for r in listed)
    assert api_client.get(f"{BASE}/requests.json", params={"service_code": "security"}).json() == []
    assert api_client.get(f"{BASE}/requests.json", params={"service_request_id": code}).json() == []
    hidden = api_client.get(f"{BASE}/requests/{code}.json")
    missing_code = code[:-6] + ("999999" if not code.endswith("999999") else "999998")
    missing = api_client.get(f"{BASE}/requests/{missing_code}.json")
    assert_spec_error(hidden, 404)
    assert hidden.text.replace(code, "<code>") == missing.text.replace(missing_code, "<code>")


def test_an_api_key_header_opens_the_full_record_and_a_wrong_one_is_refused(
    api_client: TestClient, api_key: str, key_header: dict[str, str], reported: tuple[str, str, str]
) -> None:
    code, marker, photo = reported
    security = created_id(api_client, api_key, service_code="security", description="Tụ tập đánh bạc")
    [full] = api_client.get(f"{BASE}/requests/{code}.json", headers=key_header).json()
    assert marker in full["description"] and NAME in full["status_notes"]
    assert (full["lat"], full["long"], full["media_url"]) == (LAT, LONG, photo)
    ids = {"service_request_id": f"{code},{security}"}
    listed = api_client.get(f"{BASE}/requests.json", params=ids, headers=key_header).json()
    assert {r["service_request_id"] for r in listed} == {code, security}
    for wrong in ("not-a-key", ""):
        assert_spec_error(api_client.get(f"{BASE}/requests.json", headers={"X-Api-Key": wrong}), 403)
        assert_spec_error(api_client.get(f"{BASE}/requests/{code}.json", headers={"X-Api-Key": wrong}), 403)
    in_query = api_client.get(f"{BASE}/requests/{code}.json", params={"api_key": api_key})
    assert_public(in_query, marker)
