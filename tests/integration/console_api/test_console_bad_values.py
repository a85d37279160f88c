"""Values the database cannot take get a 4xx with the reason, never a 5xx: integers beyond their
column's range, days whose UTC instant overflows, NUL characters in texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

HUGE = "99999999999999999999999999"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/api/v1/console/deliveries/{HUGE}/resend"),
        ("post", f"/api/v1/console/deliveries/{2**31}/resend"),
        ("post", "/api/v1/console/deliveries/0/resend"),
        ("get", f"/api/v1/console/tickets?page={HUGE}"),
    ],
)
def test_an_integer_out_of_range_is_refused(
    client_as: Callable[[str], TestClient], method: str, path: str
) -> None:
    response = client_as("dispatcher").request(method, path)

    assert response.status_code == 422, response.text
    assert "less than or equal" in response.json()["detail"] or "greater than" in response.json()["detail"]


def test_the_largest_row_id_is_simply_not_found(client_as: Callable[[str], TestClient]) -> None:
    response = client_as("dispatcher").post(f"/api/v1/console/deliveries/{2**31 - 1}/resend")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/console/tickets?from=0001-01-01",
        "/api/v1/console/tickets?to=9999-12-31",
        "/api/v1/console/tickets.csv?from=0001-01-01",
        "/api/v1/stats?from=0001-01-01",
    ],
)
def test_a_day_out_of_range_is_refused(client_as: Callable[[str], TestClient], path: str) -> None:
    response = client_as("dispatcher").get(path)

    assert response.status_code == 422, response.text
    assert "from" in response.json()["detail"] or "to" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/console/tickets?category=%00",
        "/api/v1/console/tickets?q=a%00b",
        "/api/v1/console/tickets/PA%00",
    ],
)
def test_a_nul_character_is_refused(client_as: Callable[[str], TestClient], path: str) -> None:
    response = client_as("dispatcher").get(path)

    assert 400 <= response.status_code < 500, response.text
    assert "NUL" in response.json()["detail"] or "code" in response.json()["detail"]


def test_a_nul_character_in_a_user_name_at_log_in_is_refused(console_app: Any) -> None:
    response = TestClient(console_app).post("/api/v1/auth/login", json={"username": "\x00", "password": "x"})

    assert response.status_code == 400 and "NUL" in response.json()["detail"]
