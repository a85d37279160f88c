"""Rasa and the action server answer only the backend: with their ports reachable, a request without
the secret is refused (tracker read, impersonation through metadata, model replacement, action call),
while the gateway, holding the secrets, still gets the bot's answers (the journeys, and the citizen
below). The e2e stack runs Rasa's HTTP API as an operator may ask for it: with an auth token."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest

from tests.e2e.citizens import TelegramCitizen
from tests.e2e.conftest import E2E, WEBHOOK_SECRET
from tests.e2e.journey import turn

VICTIM_TEXT = "Nhà tôi ở số 12 đường Phan Bội Châu, số điện thoại 0905123456"


@pytest.fixture(scope="module")
def victim(e2e: E2E) -> str:
    """A citizen who told the bot something private through the gateway: their Rasa sender id."""
    citizen = TelegramCitizen(e2e.url, WEBHOOK_SECRET, e2e.telegram, random.randint(10**8, 10**9))
    replies = turn(citizen, "say", VICTIM_TEXT)
    assert replies  # the gateway, with the secret, is answered
    return f"telegram:{citizen.chat_id}"


def rasa(e2e: E2E, method: str, path: str, **kwargs: object) -> httpx.Response:
    """One request straight to Rasa's port, as anyone on the network could send it."""
    return httpx.request(method, f"{e2e.stack.rasa_url}{path}", timeout=30, **kwargs)  # type: ignore[arg-type]


def impersonation(victim: str) -> dict[str, object]:
    """The body that asked for a victim's tickets through the stock REST channel."""
    channel, _, user = victim.partition(":")
    metadata = {"channel": channel, "channel_user_id": user}
    return {"sender": f"x-{uuid.uuid4().hex}", "message": "tra cứu phản ánh của tôi", "metadata": metadata}


def test_a_citizens_tracker_is_refused_without_the_api_token(e2e: E2E, victim: str) -> None:
    path = f"/conversations/{victim}/tracker"
    anonymous, wrong = rasa(e2e, "GET", path), rasa(e2e, "GET", path, params={"token": "guess"})
    operator = rasa(e2e, "GET", path, params={"token": e2e.stack.secrets.api_token})

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert "0905123456" not in anonymous.text + wrong.text
    assert operator.status_code == 200 and "0905123456" in operator.text


def test_impersonating_a_citizen_through_metadata_is_refused(e2e: E2E, victim: str) -> None:
    body = impersonation(victim)
    stock_rest = rasa(e2e, "POST", "/webhooks/rest/webhook", json=body)
    anonymous = rasa(e2e, "POST", "/webhooks/gateway/webhook", json=body)
    guessed = rasa(e2e, "POST", "/webhooks/gateway/webhook", json=body, headers={"Authorization": "Bearer x"})
    tracker = rasa(e2e, "GET", f"/conversations/{body['sender']}/tracker",
                   params={"token": e2e.stack.secrets.api_token})  # fmt: skip

    assert (stock_rest.status_code, anonymous.status_code, guessed.status_code) == (404, 401, 401)
    assert not [event for event in tracker.json()["events"] if event["event"] == "user"]


def test_replacing_the_model_is_refused_without_the_api_token(e2e: E2E) -> None:
    body = {"model_file": "/tmp/attacker.tar.gz"}
    anonymous = rasa(e2e, "PUT", "/model", json=body)
    guessed = rasa(e2e, "PUT", "/model", json=body, params={"token": "guess"})
    status = rasa(e2e, "GET", "/status", params={"token": e2e.stack.secrets.api_token})

    assert (anonymous.status_code, guessed.status_code) == (401, 401)
    assert status.json()["model_file"] != body["model_file"]


def test_the_action_server_refuses_calls_without_the_action_token(e2e: E2E, victim: str) -> None:
    url = f"http://127.0.0.1:{e2e.stack.action_port}"
    call = {"next_action": "action_check_status", "sender_id": victim, "tracker": {"sender_id": victim}}
    anonymous = httpx.post(f"{url}/webhook", json=call, timeout=30)
    guessed = httpx.post(f"{url}/webhook", json=call, headers={"Authorization": "Bearer x"}, timeout=30)
    listing = httpx.get(f"{url}/actions", timeout=30)
    token = {"Authorization": f"Bearer {e2e.stack.secrets.action_token}"}
    rasa_itself = httpx.get(f"{url}/actions", headers=token, timeout=30)

    assert (anonymous.status_code, guessed.status_code, listing.status_code) == (401, 401, 401)
    assert rasa_itself.status_code == 200
