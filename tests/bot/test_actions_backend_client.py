"""The backend client against the fake backend: created vs replayed, errors as exceptions."""

import asyncio
import os

import pytest

from actions.backend_client import (
    BackendClient,
    BackendRejected,
    BackendSettings,
    BackendUnavailable,
    Contact,
    NewReport,
)

pytest_plugins = ["actions_support"]
CONTACT = Contact("telegram", "12345", "Nguyễn Văn A")
REPORT = NewReport(category="traffic", description="xe tải đậu chắn đường", contact=CONTACT)


def client() -> BackendClient:
    return BackendClient(BackendSettings.from_env())


def test_first_post_creates_and_the_same_key_replays_it(backend):
    first = asyncio.run(client().create_ticket(REPORT, "key-1"))
    again = asyncio.run(client().create_ticket(REPORT, "key-1"))
    assert (first.replayed, again.replayed) == (False, True)
    assert first.code == again.code and len(backend.state.tickets) == 1


def test_optional_fields_are_left_out_and_coordinates_go_in_pairs(backend):
    half = NewReport(category="traffic", description="x", contact=CONTACT, latitude=15.5)
    asyncio.run(client().create_ticket(half, "key-2"))
    assert set(backend.state.requests[-1]["body"]) == {"category", "description", "contact"}


def test_4xx_is_a_rejection_with_the_reason(backend):
    with pytest.raises(BackendRejected) as error:
        asyncio.run(
            client().create_ticket(NewReport(category="traffic", description="", contact=CONTACT), "k")
        )
    assert error.value.status == 422 and "description" in error.value.detail


def test_a_wrong_token_is_rejected(backend, monkeypatch):
    monkeypatch.setenv("SERVICE_TOKEN", "wrong")
    with pytest.raises(BackendRejected) as error:
        asyncio.run(client().list_tickets(CONTACT))
    assert error.value.status == 401


def test_5xx_and_no_server_are_unavailability(backend, backend_down):
    assert os.environ["BACKEND_URL"] != backend.url
    with pytest.raises(BackendUnavailable):
        asyncio.run(client().list_tickets(CONTACT))
    backend.state.fail_with = 502
    with pytest.raises(BackendUnavailable):
        asyncio.run(BackendClient(BackendSettings(base_url=backend.url)).list_tickets(CONTACT))


def test_settings_default_to_the_documented_port(monkeypatch):
    monkeypatch.delenv("BACKEND_URL", raising=False)
    monkeypatch.delenv("SERVICE_TOKEN", raising=False)
    settings = BackendSettings.from_env()
    assert (settings.base_url, settings.service_token) == ("http://127.0.0.1:8000", "")
