"""Bad input gets a 4xx with a reason, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from backend_testkit import report, ticket_count
from fastapi.testclient import TestClient

from backend.bootstrap import Container

BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"category": "weather"}, "unknown category"),
    ({"latitude": 95.0, "longitude": 108.3}, "latitude"),
    ({"latitude": 15.88}, "latitude and longitude"),
    ({"latitude": 48.85, "longitude": 2.35}, "outside Vietnam"),
    ({"description": "x" * 4001}, "description"),
    ({"description": "   "}, "description"),
    ({"photo_urls": ["http://evil.example/a.jpg"]}, "photo URL"),
    ({"photo_urls": ["http://testserver/media/nothing.jpg"]}, "photo not found"),
    ({"photo_urls": ["http://testserver/media/../../etc/passwd"]}, "photo"),
    ({"nlu_confidence": 1.5}, "nlu_confidence"),
    ({"contact": {"channel": "telegram"}}, "channel_user_id"),
    ({"contact": {"channel": "Tele gram!", "channel_user_id": "1"}}, "channel"),
]


@pytest.mark.parametrize(("changes", "reason"), BAD_BODIES)
def test_bad_body_is_refused_and_nothing_stored(
    api_client: TestClient,
    service_headers: dict[str, str],
    backend_container: Container,
    changes: dict[str, Any],
    reason: str,
) -> None:
    before = ticket_count(backend_container)
    response = api_client.post("/api/v1/tickets", json=report(**changes), headers=service_headers)
    assert 400 <= response.status_code < 500
    assert reason in response.json()["detail"]
    assert ticket_count(backend_container) == before


def test_malformed_json(api_client: TestClient, service_headers: dict[str, str]) -> None:
    headers = {**service_headers, "Content-Type": "application/json"}
    response = api_client.post("/api/v1/tickets", content=b'{"category": ', headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("malformed JSON")


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic dGVzdA=="])
def test_missing_or_wrong_service_token(api_client: TestClient, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = api_client.post("/api/v1/tickets", json=report(), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or missing service token"}


@pytest.mark.parametrize("code", ["PA2026000123", "PA-26-1", "123"])
def test_bad_ticket_code(api_client: TestClient, service_headers: dict[str, str], code: str) -> None:
    params = {"channel": "telegram", "channel_user_id": "1"}
    response = api_client.get(f"/api/v1/tickets/{code}", params=params, headers=service_headers)
    assert response.status_code == 422
    assert "bad ticket code" in response.json()["detail"]


@pytest.mark.parametrize("key", ["", " ", "a b", "x" * 201])
def test_an_empty_or_odd_idempotency_key_is_refused(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container, key: str
) -> None:
    before = ticket_count(backend_container)
    headers = {**service_headers, "Idempotency-Key": key}
    answers = [api_client.post("/api/v1/tickets", json=report(), headers=headers) for _ in range(2)]

    assert [a.status_code for a in answers] == [422, 422]
    assert "Idempotency-Key" in answers[0].json()["detail"]
    assert ticket_count(backend_container) == before
