"""Reading what the action server needs from a rasa_sdk Tracker."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Tracker

from actions.backend_client import Contact
from actions.report_draft import Message
from actions.ticket_codes import normalize_ticket_code

DEFAULT_CHANNEL = "rest"


def latest_message(tracker: Tracker) -> Message:
    """The latest user message as the report draft sees it."""
    parsed = tracker.latest_message or {}
    ranking = tuple(
        (item.get("name", ""), float(item.get("confidence") or 0.0))
        for item in parsed.get("intent_ranking") or []
    )
    intent = (parsed.get("intent") or {}).get("name") or ""
    if not ranking and intent:
        ranking = ((intent, float((parsed.get("intent") or {}).get("confidence") or 1.0)),)
    entities = frozenset(entity.get("entity", "") for entity in parsed.get("entities") or [])
    return Message(text=parsed.get("text") or "", intent=intent, ranking=ranking, entities=entities)


def metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the gateway attached to the latest user message."""
    value = (tracker.latest_message or {}).get("metadata")
    return value if isinstance(value, dict) else {}


def entity_value(tracker: Tracker, name: str) -> Any:
    """The first value of entity `name` in the latest message, or None."""
    return next(tracker.get_latest_entity_values(name), None)


def contact_of(tracker: Tracker) -> Contact:
    """The citizen's channel identity: from metadata, else from the "channel:user" sender id."""
    meta = metadata(tracker)
    channel, _, user = str(tracker.sender_id).partition(":")
    if not user:
        channel, user = DEFAULT_CHANNEL, str(tracker.sender_id)
    return Contact(
        channel=str(meta.get("channel") or channel),
        channel_user_id=str(meta.get("channel_user_id") or user),
        display_name=meta.get("display_name") or None,
        phone=meta.get("phone") or None,
    )


def report_idempotency_key(tracker: Tracker, form_name: str = "report_form") -> str:
    """A key for the current report: the sender plus the turn where the report form started."""
    starts = [
        event
        for event in tracker.events
        if event.get("event") == "active_loop" and event.get("name") == form_name
    ]
    turn = starts[-1].get("timestamp") if starts else _user_turns(tracker)
    digest = hashlib.sha256(f"{tracker.sender_id}|{turn}".encode()).hexdigest()
    return f"rasa-{digest[:40]}"


def _user_turns(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def requested_ticket_code(tracker: Tracker) -> str | None:
    """The ticket code the citizen named: entity, then slot, then the message text."""
    candidates = (
        entity_value(tracker, "ticket_id"),
        tracker.get_slot("ticket_id"),
        latest_message(tracker).text,
    )
    for candidate in candidates:
        code = normalize_ticket_code(str(candidate)) if candidate else None
        if code:
            return code
    return None
