"""Outbox payloads rendered from the reference templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from backend.domain.notifications import KINDS, NotificationTemplates

REFERENCE = Path(__file__).resolve().parents[3] / "reference"


@pytest.fixture(scope="module")
def templates() -> NotificationTemplates:
    return NotificationTemplates(yaml.safe_load((REFERENCE / "notifications.yml").read_text("utf-8")))


def test_resolution_carries_the_answer_and_five_rating_buttons(templates: NotificationTemplates) -> None:
    note = templates.render("resolved", "PA-2026-000123", department="Phòng X", text="Đã thu gom rác.")
    assert "PA-2026-000123" in note.text and "Đã thu gom rác." in note.text
    payloads = [b["payload"] for b in note.buttons]
    assert payloads[0].startswith("/rate{")
    assert [json.loads(p.removeprefix("/rate")) for p in payloads][4] == {
        "ticket_id": "PA-2026-000123",
        "rating": 5,
    }


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "resolved"])
def test_other_kinds_have_text_and_no_buttons(templates: NotificationTemplates, kind: str) -> None:
    note = templates.render(kind, "PA-2026-000001", text="Liên hệ Công an phường", original="PA-2026-000000")
    assert "PA-2026-000001" in note.text and "{" not in note.text
    assert note.buttons == []


def test_missing_template_is_refused() -> None:
    with pytest.raises(ValueError, match="received"):
        NotificationTemplates({"assigned": "x"})
