"""Helpers for calling actions through their public interface: run() with a real Tracker."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
from actions_fake_backend import SERVICE_TOKEN, FakeBackend
from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

REPO_ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = REPO_ROOT / "bot" / "domain"
SENDER = "telegram:12345"
METADATA = {"channel": "telegram", "channel_user_id": "12345", "display_name": "Nguyễn Văn A"}


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real bot domain as the action server receives it."""
    return Domain.load(str(DOMAIN_DIR)).as_dict()


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch):
    """A fake backend the actions reach through BACKEND_URL and SERVICE_TOKEN."""
    server = FakeBackend().start()
    monkeypatch.setenv("BACKEND_URL", server.url)
    monkeypatch.setenv("SERVICE_TOKEN", SERVICE_TOKEN)
    yield server
    server.stop()


@pytest.fixture
def backend_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """BACKEND_URL pointing at a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "2")


def user_message(
    text: str,
    intent: str,
    confidence: float = 1.0,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    """A parsed user message as Rasa sends it to the action server."""
    pairs = ranking or [(intent, confidence)]
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": name, "confidence": score} for name, score in pairs],
        "entities": entities or [],
        "metadata": METADATA if metadata is None else metadata,
    }


def make_tracker(
    message: dict[str, Any],
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = SENDER,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is `message`."""
    user_event = {
        "event": "user",
        "timestamp": 1_790_000_100.0,
        "text": message["text"],
        "parse_data": message,
    }
    return Tracker(
        sender_id,
        dict(slots or {}),
        message,
        (events or []) + [user_event],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run_action(action: Action, tracker: Tracker, domain: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """Run the action; return (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return list(events), dispatcher.messages


def slot_updates(events: list[dict[str, Any]]) -> dict[str, Any]:
    """SlotSet events as a dict."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    """Names of the responses the action asked Rasa to say."""
    return [message.get("response") for message in messages]
