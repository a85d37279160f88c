"""Integers in paths and queries are checked against their column's range: a 4xx, never an
OverflowError from the database driver."""

from __future__ import annotations

from collections.abc import Callable

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
