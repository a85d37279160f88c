"""Creating and reading tickets through the bot API on PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from backend_testkit import new_user, owner_params, report, ticket_count
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.domain.codes import parse_code


def test_create_routes_by_old_ward_name_and_returns_the_contract_shape(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    response = api_client.post("/api/v1/tickets", json=report(), headers=service_headers)
    assert response.status_code == 201, response.text
    body = response.json()
    parse_code(body["code"])
    assert body["status"] == "assigned"
    assert body["unit"] == {"code": "hoi_an_dong", "name": "Phường Hội An Đông"}
    assert body["department"]["code"] == "hoi_an_environment"
    assert body["due_at"].endswith("T17:00:00+07:00")


def test_unknown_place_goes_to_the_dispatch_desk(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    body = report(area=None, location_text="ngoài chợ")
    response = api_client.post("/api/v1/tickets", json=body, headers=service_headers)
    assert response.json()["department"]["code"] == "ioc_dispatch"
    assert response.json()["unit"] is None


def test_retry_with_same_idempotency_key_returns_same_ticket(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    headers = {**service_headers, "Idempotency-Key": uuid.uuid4().hex}
    body = report()
    first = api_client.post("/api/v1/tickets", json=body, headers=headers)
    before = ticket_count(backend_container)
    second = api_client.post("/api/v1/tickets", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["code"] == second.json()["code"]
    assert ticket_count(backend_container) == before


def test_concurrent_retries_create_one_ticket(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    headers = {**service_headers, "Idempotency-Key": uuid.uuid4().hex}
    body = report()
    before = ticket_count(backend_container)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda _: api_client.post("/api/v1/tickets", json=body, headers=headers), range(8))
        )
    assert {r.json()["code"] for r in responses} and len({r.json()["code"] for r in responses}) == 1
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert ticket_count(backend_container) == before + 1


def test_concurrent_creation_gives_distinct_sequential_codes(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    def create(_: int) -> str:
        response = api_client.post("/api/v1/tickets", json=report(), headers=service_headers)
        assert response.status_code == 201, response.text
        return str(response.json()["code"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(create, range(20)))
    numbers = sorted(parse_code(code)[1] for code in codes)
    assert len(set(codes)) == 20
    assert numbers == list(range(numbers[0], numbers[0] + 20))


def test_status_only_for_the_owner(api_client: TestClient, service_headers: dict[str, str]) -> None:
    body = report()
    code = api_client.post("/api/v1/tickets", json=body, headers=service_headers).json()["code"]
    mine = api_client.get(f"/api/v1/tickets/{code}", params=owner_params(body), headers=service_headers)
    assert mine.status_code == 200
    assert mine.json()["status_vi"] and mine.json()["department_name"]
    other = {"channel": "telegram", "channel_user_id": new_user()}
    theirs = api_client.get(f"/api/v1/tickets/{code}", params=other, headers=service_headers)
    missing = api_client.get("/api/v1/tickets/PA-1999-999999", params=other, headers=service_headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == {"detail": "not found"}


def test_list_a_citizens_tickets_newest_first(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    user = new_user()
    codes = [
        api_client.post("/api/v1/tickets", json=report(user), headers=service_headers).json()["code"]
        for _ in range(3)
    ]
    response = api_client.get(f"/api/v1/citizens/telegram/{user}/tickets", headers=service_headers)
    assert [item["code"] for item in response.json()["items"]] == codes[::-1]
