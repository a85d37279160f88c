"""Builders shared by the backend integration tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from backend.adapters.db.models import Ticket
from backend.bootstrap import Container


def new_user() -> str:
    """A citizen id no other test uses."""
    return f"user-{uuid.uuid4().hex[:10]}"


def report(user: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid create-ticket body."""
    body: dict[str, Any] = {
        "category": "environment",
        "description": f"Rác thải đổ trộm ở đầu hẻm {uuid.uuid4().hex[:6]}",
        "location_text": "đường Phan Châu Trinh",
        "area": "Cẩm Châu",
        "nlu_category": "environment",
        "nlu_confidence": 0.93,
        "contact": {
            "channel": "telegram",
            "channel_user_id": user or new_user(),
            "display_name": "Nguyễn Văn A",
            "phone": None,
        },
    }
    body.update(overrides)
    return body


def ticket_count(container: Container) -> int:
    """How many tickets the database holds."""
    with container.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


def owner_params(body: dict[str, Any]) -> dict[str, str]:
    """The query parameters that identify the body's citizen."""
    contact = body["contact"]
    return {"channel": contact["channel"], "channel_user_id": contact["channel_user_id"]}


def create(client: Any, headers: dict[str, str], **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Create a ticket through the API; returns (code, request body)."""
    body = report(**overrides)
    response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"]), body


def set_status(client: Any, headers: dict[str, str], code: str, status: str, text: str | None = None) -> Any:
    """Change a ticket's status through the service API."""
    return client.post(
        f"/api/v1/tickets/{code}/status", json={"status": status, "text": text}, headers=headers
    )
