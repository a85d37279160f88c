"""A ticket page's event stream follows the page's access rules, and live changes reach it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from console_ui_kit import PASSWORD, file_ticket, sign_in
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.entrypoints.app import create_app
from backend.services.console_actions import ConsoleActions

DISPATCHER = Principal(0, "ui.stream", "Điều phối", Role.DISPATCHER, None)
Step = Callable[[], Awaitable[Any]]


def _cookie(app: FastAPI, username: str | None) -> str:
    if username is None:
        return ""
    client = TestClient(app, follow_redirects=False)  # no lifespan: the app's feed stays open
    sign_in(client, username, PASSWORD)
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def _open(
    app: FastAPI, path: str, cookie: str, until: Callable[[str], bool], then: Step
) -> tuple[int, str]:
    """GET `path` as a browser's EventSource; run `then` once the first bytes came, and hang up as
    soon as the body read so far satisfies `until` (or after 20 s)."""
    status, body, done = 0, "", asyncio.Event()
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not started.is_set():
            started.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"").decode()
            if body and until(body):
                done.set()

    headers = [(b"host", b"testserver"), (b"cookie", cookie.encode()), (b"accept", b"text/event-stream")]
    path_only, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path_only, "raw_path": path_only.encode(),
             "query_string": query.encode(), "headers": headers, "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80)}  # fmt: skip
    call = asyncio.ensure_future(app(scope, receive, send))
    await asyncio.sleep(0.5)  # the stream subscribes to its wake-ups
    if status == 200:
        await then()
    await asyncio.wait_for(
        asyncio.wait([call, asyncio.ensure_future(done.wait())], return_when="FIRST_COMPLETED"), 20
    )
    done.set()
    await asyncio.wait_for(call, 10)
    return status, body


def _run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    # A loop of its own: the browser suites keep one running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result(60)


async def _nothing() -> None:
    return None


def _stream(app: FastAPI, path: str, user: str | None, until: str, then: Step = _nothing) -> tuple[int, str]:
    cookie = _cookie(app, user)

    async def scenario() -> tuple[int, str]:
        try:
            return await _open(app, path, cookie, lambda body: until in body, then)
        finally:
            await app.state.console_feed.close()

    return _run(scenario)


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
