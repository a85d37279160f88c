"""A ticket page's event stream follows the page's access rules, and live changes reach it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from console_ui_kit import file_ticket, in_own_loop, open_stream, session_cookie
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.entrypoints.app import create_app
from backend.services.console_actions import ConsoleActions

DISPATCHER = Principal(0, "ui.stream", "Điều phối", Role.DISPATCHER, None)
Step = Callable[[], Awaitable[Any]]


async def _nothing() -> None:
    return None


def _stream(app: FastAPI, path: str, user: str | None, until: str, then: Step = _nothing) -> tuple[int, str]:
    cookie = session_cookie(app, user)

    async def scenario() -> tuple[int, str]:
        try:
            return await open_stream(app, path, cookie, lambda body: until in body, then)
        finally:
            await app.state.console_feed.close()

    return in_own_loop(scenario)


def test_only_officials_who_may_see_the_ticket_get_its_stream(
    backend_container: Container, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    app = create_app(container=backend_container)
    code = file_ticket(TestClient(app), service_headers, "Rác thải ứ đọng ven kênh <b>đậm</b>")
    path = f"/console/tickets/{code}/events"
    other_status, other_body = _stream(app, path, ui_accounts["other_officer"], "event:")
    assert other_status == 404
    assert "event:" not in other_body and code not in other_body
    assert _stream(app, path, ui_accounts["leader"], "event:")[0] == 403
    assert _stream(app, path, None, "event:")[0] == 401
    own_status, own_body = _stream(app, path, ui_accounts["officer"], "event: deliveries")
    assert own_status == 200
    assert "event: status" in own_body and "Xác nhận tiếp nhận" in own_body


def test_an_officials_reply_reaches_the_stream_and_a_reroute_away_ends_it(
    backend_container: Container, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    app = create_app(container=backend_container)
    code = file_ticket(TestClient(app), service_headers, "Cống thoát nước bị tắc trước nhà văn hóa")
    actions = ConsoleActions(backend_container.session_factory, backend_container.workflow)

    async def reply_then_reroute() -> None:
        await asyncio.to_thread(actions.reply, DISPATCHER, code, "Chúng tôi đã ghi nhận ạ.")
        await asyncio.sleep(0.5)
        await asyncio.to_thread(actions.reroute, DISPATCHER, code, "Sai địa bàn", None, "hoi_an_environment")

    path = f"/console/tickets/{code}/events?after=0"
    status, body = _stream(app, path, ui_accounts["officer"], "event: gone", reply_then_reroute)
    assert status == 200
    replied = body.index("Chúng tôi đã ghi nhận ạ.")
    assert body.rfind("event: thread", 0, replied) > 0  # the reply arrived in the thread …
    assert "Trả lời của cán bộ" in body  # … and in the deliveries table
    assert body.index("event: gone") > replied
