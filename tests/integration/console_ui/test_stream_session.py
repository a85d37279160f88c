"""An open console event stream ends once its session no longer holds: the official is
deactivated, or their password is changed, by an administrator through the users API; nothing
filed afterwards reaches it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from console_ui_kit import PASSWORD, file_ticket, in_own_loop, open_stream, session_cookie, sign_in
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService


@pytest.fixture
def app(backend_container: Container) -> FastAPI:
    """The app, its streams looking every 0.2 s."""
    app = create_app(container=backend_container)
    app.state.console_feed.poll_seconds = 0.2
    return app


def _account(container: Container, role: str, department: str | None = None) -> str:
    username = f"ui.{role}.{uuid.uuid4().hex[:8]}"
    UserService(container.session_factory).create(username, PASSWORD, "Tài khoản thử", role, department)
    return username


def _admin_client(app: FastAPI, container: Container) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    assert sign_in(client, _account(container, "administrator"), PASSWORD).status_code == 303
    client.headers["X-CSRF-Token"] = client.cookies["ioc_csrf"]
    return client


def _watch(app: FastAPI, path: str, cookie: str, change: Any, then_file: Any) -> tuple[int, str]:
    """Open the stream, apply `change` (a users API call), then file a ticket; the body received."""

    async def after_opening() -> None:
        answer = await asyncio.to_thread(change)
        assert answer.status_code == 200, answer.text
        await asyncio.sleep(1.0)  # several looks of the stream
        await asyncio.to_thread(then_file)

    async def scenario() -> tuple[int, str]:
        try:
            return await open_stream(app, path, cookie, lambda body: "ĐÃ-VÔ-HIỆU" in body, after_opening)
        finally:
            await app.state.console_feed.close()

    return in_own_loop(scenario)


def test_a_deactivated_officers_inbox_stream_ends_and_shows_nothing_after(
    app: FastAPI, backend_container: Container, service_headers: dict[str, str]
) -> None:
    officer = _account(backend_container, "officer", "tam_ky_environment")
    cookie = session_cookie(app, officer)
    admin = _admin_client(app, backend_container)

    def deactivate() -> Any:
        return admin.patch(f"/api/v1/users/{officer}", json={"active": False})

    def file() -> None:
        file_ticket(TestClient(app), service_headers, "Rác thải ĐÃ-VÔ-HIỆU ven đường Phan Chu Trinh")

    status, body = _watch(app, "/console/events", cookie, deactivate, file)
    assert status == 200 and body.startswith("retry:")
    assert "ĐÃ-VÔ-HIỆU" not in body and "event: ticket" not in body


def test_a_ticket_stream_ends_when_the_officers_password_is_changed(
    app: FastAPI, backend_container: Container, service_headers: dict[str, str]
) -> None:
    officer = _account(backend_container, "officer", "tam_ky_environment")
    code = file_ticket(TestClient(app), service_headers, "Cống thoát nước bị tắc ở Tân Thạnh")
    cookie = session_cookie(app, officer)
    admin = _admin_client(app, backend_container)

    def new_password() -> Any:
        return admin.patch(f"/api/v1/users/{officer}", json={"password": "mat-khau-moi-2026-abc"})

    def note() -> None:
        reply = TestClient(app).post(
            f"/api/v1/tickets/{code}/notes", json={"text": "ĐÃ-VÔ-HIỆU"}, headers=service_headers
        )
        assert reply.status_code in (200, 201), reply.text

    status, body = _watch(app, f"/console/tickets/{code}/events", cookie, new_password, note)
    assert status == 200 and "event: status" in body
    assert "ĐÃ-VÔ-HIỆU" not in body
