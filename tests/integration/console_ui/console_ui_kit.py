"""Helpers of the console page tests."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
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


async def open_stream(
    app: FastAPI, path: str, cookie: str, until: Callable[[str], bool], then: Callable[[], Awaitable[Any]]
) -> tuple[int, str]:
    """GET `path` as a browser's EventSource; run `then` once the first bytes came (the stream sends
    them once subscribed to its wake-ups), and hang up as soon as the body read so far satisfies
    `until` (or after 20 s)."""
    status, body, done = 0, "", asyncio.Event()
    started, first_bytes = asyncio.Event(), asyncio.Event()

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
            first_bytes.set()
            if body and until(body):
                done.set()

    headers = [(b"host", b"testserver"), (b"cookie", cookie.encode()), (b"accept", b"text/event-stream")]
    path_only, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path_only, "raw_path": path_only.encode(),
             "query_string": query.encode(), "headers": headers, "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80)}  # fmt: skip
    call = asyncio.ensure_future(app(scope, receive, send))
    await asyncio.wait_for(
        asyncio.wait([call, asyncio.ensure_future(first_bytes.wait())], return_when="FIRST_COMPLETED"), 20
    )
    if status == 200:
        await then()
    await asyncio.wait_for(
        asyncio.wait([call, asyncio.ensure_future(done.wait())], return_when="FIRST_COMPLETED"), 20
    )
    done.set()
    await asyncio.wait_for(call, 10)
    return status, body


def session_cookie(app: FastAPI, username: str | None) -> str:
    """The Cookie header of a browser signed in as `username` (none: empty)."""
    if username is None:
        return ""
    client = TestClient(app, follow_redirects=False)  # no lifespan: the app's feed stays open
    sign_in(client, username, PASSWORD)
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def in_own_loop(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine to its end in a loop of its own (the browser suites keep one running in the
    main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result(60)
