"""Builders shared by the console API tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "mat-khau-an-toan-2026"
HOI_AN_ENV = "hoi_an_environment"  # environment reports from Cẩm Châu go here
TAM_KY_ENV = "tam_ky_environment"  # environment reports from Tân Thạnh go here


def token() -> str:
    """A word no other test uses, to find this test's tickets by free text."""
    return f"tk{uuid.uuid4().hex[:10]}"


def report(marker: str, area: str = "Cẩm Châu", **overrides: Any) -> dict[str, Any]:
    """A create-ticket body whose description contains `marker`."""
    body: dict[str, Any] = {
        "category": "environment",
        "description": f"Rác thải đổ trộm ở đầu hẻm, bốc mùi {marker}",
        "location_text": "đường Phan Châu Trinh",
        "area": area,
        "contact": {
            "channel": "telegram",
            "channel_user_id": f"user-{uuid.uuid4().hex[:10]}",
            "display_name": "Nguyễn Văn Bí Mật",
            "phone": "0905 123 456",
        },
    }
    body.update(overrides)
    return body


def create_ticket(client: TestClient, headers: dict[str, str], marker: str, **overrides: Any) -> str:
    """File a ticket through the bot API; returns its code."""
    response = client.post("/api/v1/tickets", json=report(marker, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """POST the log-in form; on success the client sends the CSRF header from now on."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    if response.status_code == 200:
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response


@dataclass
class Clock:
    """A settable clock for a second container, to file tickets in the past."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now
