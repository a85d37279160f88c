"""Ratings: only the owner, only once resolved or closed, 1 to 5."""

from __future__ import annotations

from backend_testkit import create, new_user, owner_params, set_status
from fastapi.testclient import TestClient


def rate(client: TestClient, headers: dict[str, str], code: str, params: dict[str, str], score: int) -> int:
    body = {**params, "score": score, "comment": "Xử lý nhanh"}
    return client.post(f"/api/v1/tickets/{code}/rating", json=body, headers=headers).status_code


def test_rating_rules(api_client: TestClient, service_headers: dict[str, str]) -> None:
    code, body = create(api_client, service_headers)
    owner = owner_params(body)
    assert rate(api_client, service_headers, code, owner, 5) == 409
    set_status(api_client, service_headers, code, "resolved", "Đã dọn sạch rác.")
    assert (
        rate(api_client, service_headers, code, {"channel": "telegram", "channel_user_id": new_user()}, 5)
        == 404
    )
    assert rate(api_client, service_headers, code, owner, 0) == 422
    assert rate(api_client, service_headers, code, owner, 6) == 422
    assert rate(api_client, service_headers, code, owner, 4) == 200
    set_status(api_client, service_headers, code, "closed")
    assert rate(api_client, service_headers, code, owner, 5) == 200
    status = api_client.get(f"/api/v1/tickets/{code}", params=owner, headers=service_headers).json()
    assert status["rating"] == 5
