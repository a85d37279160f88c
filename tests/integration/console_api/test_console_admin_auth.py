"""The reference-data admin (/admin) lets in administrators only."""

from __future__ import annotations

from collections.abc import Callable

from console_testkit import PASSWORD
from fastapi import FastAPI
from fastapi.testclient import TestClient

RULES = "/admin/routing-rule-row/list"


def test_an_administrators_console_session_opens_the_admin(client_as: Callable[[str], TestClient]) -> None:
    response = client_as("administrator").get(RULES)
    assert response.status_code == 200 and "tam_ky_police" in response.text


def test_other_roles_and_strangers_are_sent_to_the_admin_log_in(
    client_as: Callable[[str], TestClient], anonymous: TestClient
) -> None:
    for client in (client_as("dispatcher"), client_as("leader"), anonymous):
        response = client.get(RULES, follow_redirects=False)
        assert response.status_code in (302, 303) and "/admin/login" in response.headers["location"]


def test_the_admin_log_in_form_accepts_only_administrators(
    console_app: FastAPI, accounts: dict[str, str]
) -> None:
    client = TestClient(console_app)
    refused = client.post("/admin/login", data={"username": accounts["dispatcher"], "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get(RULES, follow_redirects=False).status_code in (302, 303)
    accepted = client.post(
        "/admin/login",
        data={"username": accounts["administrator"], "password": PASSWORD},
        follow_redirects=False,
    )
    assert accepted.status_code in (302, 303)
    assert client.get(RULES).status_code == 200
