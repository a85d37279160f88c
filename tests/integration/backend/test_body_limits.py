"""Request bodies over their route's limit get a 413 before the app has read them: at once for a
declared Content-Length, and after about the limit for a body of unknown length (chunked)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.settings import MIB, Settings

CHUNK = 64 * 1024
TOTAL = 64 * MIB  # what the client offers; the app must stop long before
ROUTES = [  # (path, content type, route class)
    ("/webhooks/telegram", "application/json", "webhook"),
    ("/webhooks/zalo", "application/json", "webhook"),
    ("/api/v1/tickets", "application/json", "api"),
    ("/open311/v2/requests.json", "application/x-www-form-urlencoded", "api"),
    ("/api/v1/tickets/PA-2026-000001/photos", "multipart/form-data; boundary=b", "upload"),
    ("/chat/upload", "multipart/form-data; boundary=b", "upload"),
    ("/console/login", "application/x-www-form-urlencoded", "default"),
]
PART_HEAD = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n\xff\xd8\xff'


class Offered:
    """A body offered chunk by chunk; counts what the app pulled."""

    def __init__(self, first: bytes = b"") -> None:
        self.first = first
        self.pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        """TOTAL bytes, CHUNK at a time (the first chunk may open a multipart file part)."""
        for index in range(TOTAL // CHUNK):
            self.pulled += CHUNK
            yield self.first + b"x" * (CHUNK - len(self.first)) if index == 0 else b"x" * CHUNK


CHANNELS = {"telegram_bot_token": "1:limits", "telegram_webhook_secret": "limits-secret",
            "zalo_app_id": "1", "zalo_app_secret": "s", "zalo_oa_secret_key": "k",
            "zalo_access_token": "a", "zalo_refresh_token": "r"}  # fmt: skip


@pytest.fixture(scope="module")
def app(backend_settings: Settings) -> Iterator[FastAPI]:
    """The whole app on the default limits, both channels on (their webhooks read bodies)."""
    container = bootstrap(backend_settings.model_copy(update=CHANNELS))
    yield create_app(container=container)
    container.engine.dispose()


async def _post(app: FastAPI, path: str, content_type: str, body: Offered, declared: bool) -> httpx.Response:
    headers = {"Content-Type": content_type, "Authorization": "Bearer test-service-token",
               "X-Telegram-Bot-Api-Secret-Token": "limits-secret"}  # fmt: skip
    if declared:
        headers["Content-Length"] = str(TOTAL)
    transport, chunks = httpx.ASGITransport(app=app), body.chunks()
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            return await client.post(path, content=chunks, headers=headers)
        finally:
            await chunks.aclose()


async def _offer(
    app: FastAPI, path: str, content_type: str, kind: str, declared: bool
) -> tuple[httpx.Response, Offered]:
    body = Offered(PART_HEAD if kind == "upload" else b"")
    return await _post(app, path, content_type, body, declared), body


def _limit(container: Container, kind: str) -> int:
    settings = container.settings
    limits = {"webhook": settings.max_body_bytes_webhook, "api": settings.max_body_bytes_api,
              "upload": settings.upload_body_limit(), "default": settings.max_body_bytes_default}  # fmt: skip
    return limits[kind]


@pytest.mark.parametrize(("path", "content_type", "kind"), ROUTES)
async def test_a_declared_length_over_the_limit_is_refused_unread(
    app: FastAPI, backend_container: Container, path: str, content_type: str, kind: str
) -> None:
    response, body = await _offer(app, path, content_type, kind, declared=True)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"request body too large: at most {_limit(backend_container, kind)} bytes for {kind} requests"
    )
    assert response.headers["connection"] == "close"
    assert body.pulled == 0


@pytest.mark.parametrize(("path", "content_type", "kind"), ROUTES)
async def test_a_streamed_body_is_cut_off_just_past_the_limit(
    app: FastAPI, backend_container: Container, path: str, content_type: str, kind: str
) -> None:
    response, body = await _offer(app, path, content_type, kind, declared=False)
    assert response.status_code == 413, response.text
    assert "request body too large" in response.text  # JSON, or the console's HTML error page
    assert _limit(backend_container, kind) < body.pulled <= _limit(backend_container, kind) + CHUNK


async def test_each_refusal_is_logged_once_with_the_address(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="backend.entrypoints.body_limit"):
        await _post(app, "/api/v1/tickets", "application/json", Offered(), declared=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "backend.entrypoints.body_limit"]
    assert len(lines) == 1
    assert lines[0].startswith("413 POST /api/v1/tickets from 127.0.0.1: more than")


async def test_a_body_within_the_limit_is_still_served(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/api/v1/tickets", json={"category": "x"},
                                     headers={"Authorization": "Bearer test-service-token"})  # fmt: skip
    assert response.status_code == 422  # read and validated, not refused for its size
