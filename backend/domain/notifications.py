"""What a citizen hears about a ticket: outbox kinds and their payloads.

Texts are reference data (reference/notifications.yml); this module only fills them in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.domain.sla import LOCAL_TZ

KINDS = (
    "received",
    "assigned",
    "in_progress",
    "resolved",
    "rejected",
    "official_reply",
    "duplicate",
)
RATING_KINDS = frozenset({"resolved"})


@dataclass(frozen=True)
class Notification:
    kind: str
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """The outbox payload: text plus optional buttons."""
        return {"text": self.text, "buttons": self.buttons}


def format_due(due_at: datetime) -> str:
    """17:00 ngày 03/12/2026 (local time)."""
    return due_at.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")


def rating_buttons(code: str, button_template: str) -> list[dict[str, str]]:
    """Five buttons whose payloads the bot reads as intent `rate` with ticket_id and rating."""
    return [
        {
            "title": button_template.format(score=score),
            "payload": "/rate" + json.dumps({"ticket_id": code, "rating": score}, ensure_ascii=False),
        }
        for score in range(1, 6)
    ]


class NotificationTemplates:
    """Fill the reference templates for one kind of notification."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        missing = [kind for kind in (*KINDS, "rating_button") if kind not in templates]
        if missing:
            raise ValueError(f"notification templates missing: {missing}")
        self._templates = dict(templates)

    def render(self, kind: str, code: str, **fields: str) -> Notification:
        """The notification of `kind` for ticket `code`."""
        values = {"text": "", "original": "", "category": "", "department": "", "due": ""}
        text = " ".join(self._templates[kind].format(code=code, **{**values, **fields}).split())
        buttons = rating_buttons(code, self._templates["rating_button"]) if kind in RATING_KINDS else []
        return Notification(kind, text, buttons)
