"""bot/endpoints.yml makes Rasa send ACTION_TOKEN to the action server with every call, and Rasa does
not start without it (its ${VAR} substitution has no defaults)."""

import pytest
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import read_endpoint_config

from bot.components.text_normalization import REPO_ROOT

ENDPOINTS = REPO_ROOT / "bot" / "endpoints.yml"
TRACKER_STORE_URL = "sqlite:///var/rasa_tracker.db"  # Rasa expands every ${VAR} of the file


def test_rasa_sends_the_action_token_as_a_bearer_header(monkeypatch):
    monkeypatch.setenv("ACTION_TOKEN", "action-secret-1234")
    monkeypatch.setenv("TRACKER_STORE_URL", TRACKER_STORE_URL)

    action = read_endpoint_config(str(ENDPOINTS), "action_endpoint")

    assert action.url == "http://127.0.0.1:5055/webhook"
    assert action.headers == {"Authorization": "Bearer action-secret-1234"}


def test_without_the_action_token_rasa_does_not_read_the_endpoint(monkeypatch):
    monkeypatch.delenv("ACTION_TOKEN", raising=False)
    monkeypatch.setenv("TRACKER_STORE_URL", TRACKER_STORE_URL)

    with pytest.raises(RasaException, match="ACTION_TOKEN"):
        read_endpoint_config(str(ENDPOINTS), "action_endpoint")
