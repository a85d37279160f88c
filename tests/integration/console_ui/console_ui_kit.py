"""Helpers of the console page tests."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "mat-khau-giao-dien-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_token(html: str) -> str:
    """The CSRF token of a form on the page."""
    found = TOKEN.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str, next_path: str = "") -> Any:
    """Submit the log-in form as a browser does (first GET for the form's token)."""
    form = client.get("/console/login")
    data = {
        "username": username,
        "password": password,
        "csrf_token": page_token(form.text),
        "next": next_path,
    }
    return client.post("/console/login", data=data)


def file_ticket(
    client: TestClient, headers: dict[str, str], description: str, area: str = "Tân Thạnh", **extra: Any
) -> str:
    """File a ticket through the bot API (`extra`: more fields of the request); returns its code."""
    body = {
        "category": "environment",
        "description": description,
        "area": area,
        "contact": {"channel": "telegram", "channel_user_id": str(uuid.uuid4().int % 10**9)},
        **extra,
    }
    response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])
