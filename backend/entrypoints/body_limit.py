"""Request bodies are limited per route class before anything reads them: a declared Content-Length
over the limit is refused at once (413), and a body of unknown length is counted as it streams in
and cut off with a 413 as soon as it passes the limit, so no route ever holds more than its limit."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.entrypoints.client_address import client_host
from backend.settings import Settings

logger = logging.getLogger(__name__)
UPLOAD_PATHS = re.compile(r"/api/v1/tickets/[^/]+/photos|/chat/upload")
CLOSE = {"Connection": "close"}  # the rest of the refused body is not worth receiving


@dataclass(frozen=True)
class BodyLimits:
    """The largest body, in bytes, of each route class."""

    webhook: int
    api: int
    upload: int
    default: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        """The MAX_BODY_BYTES_* settings."""
        return cls(
            settings.max_body_bytes_webhook,
            settings.max_body_bytes_api,
            settings.upload_body_limit(),
            settings.max_body_bytes_default,
        )

    def for_path(self, path: str) -> tuple[str, int]:
        """The route class of a path and its limit."""
        if UPLOAD_PATHS.fullmatch(path):
            return "upload", self.upload
        if path.startswith("/webhooks/"):
            return "webhook", self.webhook
        if path.startswith(("/api/", "/open311/")):
            return "api", self.api
        return "default", self.default


class BodyTooLarge(HTTPException):
    """The body passed its route's limit (413); the connection is closed after the answer."""

    def __init__(self, kind: str, limit: int) -> None:
        detail = f"request body too large: at most {limit} bytes for {kind} requests"
        super().__init__(413, detail, headers=CLOSE)


class BodySizeLimit:
    """Pure ASGI middleware: refuse over-long bodies without reading (or buffering) them."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length, then count the body as the app reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, limit = self.limits.for_path(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            log_refusal(scope, kind, limit, f"Content-Length {declared}")
            await _answer(BodyTooLarge(kind, limit), send)
            return
        await _Streamed(self.app, scope, receive, send, kind, limit).run()


class _Streamed:
    """One request whose body is counted chunk by chunk."""

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, kind: str, limit: int):
        self.app, self.scope, self._receive, self._send = app, scope, receive, send
        self.kind, self.limit = kind, limit
        self.received = 0
        self.started = False

    async def run(self) -> None:
        try:
            await self.app(self.scope, self.receive, self.send)
        except BodyTooLarge as refusal:
            if not self.started:
                await _answer(refusal, self._send)

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                log_refusal(self.scope, self.kind, self.limit, f"more than {self.limit} bytes streamed")
                raise BodyTooLarge(self.kind, self.limit)
        return message

    async def send(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, if it sent a valid one."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def log_refusal(scope: Scope, kind: str, limit: int, why: str) -> None:
    """One line per refused body."""
    logger.warning(
        "413 %s %s from %s: %s over the %s limit of %d bytes",
        scope.get("method"), scope["path"], client_host(scope), why, kind, limit,
    )  # fmt: skip


async def _answer(refusal: BodyTooLarge, send: Send) -> None:
    response = JSONResponse({"detail": refusal.detail}, refusal.status_code, headers=refusal.headers)
    await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
