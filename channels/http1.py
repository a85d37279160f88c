"""A small HTTP/1.1 client for one origin, over kept-alive asyncio connections.

It serves the gateway's hot path (Rasa's REST channel, the Telegram Bot API's plain methods):
a request is one write and the response is parsed by httptools (uvicorn's C parser), without
httpx's per-request layers (models, hooks, anyio streams, pool locks), which cost ~0.7 ms a
request on the benchmark machine. No proxies, redirects, cookies or compression: callers that
need them keep httpx.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import httptools

READ_SIZE = 65536


class Http1Error(Exception):
    """The request failed (connection refused or dropped, timeout, malformed response)."""


class Http1Timeout(Http1Error):
    """No complete response in time."""


class Http1Unreachable(Http1Error):
    """No connection could be made: the request was not sent (safe to send elsewhere)."""


class Http1ConnectTimeout(Http1Timeout, Http1Unreachable):
    """The connection was not made in time: the request was not sent."""


@dataclass(frozen=True)
class Http1Response:
    """A complete response."""

    status: int
    body: bytes


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def usable(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class _Parsed:
    """httptools callbacks: collects one response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.complete = False
        self.keep_alive = False

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete, self.keep_alive = True, self.parser.should_keep_alive()


class _NothingReceived(Http1Error):
    """The peer closed the connection before answering (a kept-alive connection it dropped)."""


def direct(url: str) -> bool:
    """Whether requests to ``url`` go straight to its host (no proxy set for it in the environment)."""
    parts = urlsplit(url)
    proxied = parts.scheme in urllib.request.getproxies()
    return not proxied or bool(urllib.request.proxy_bypass(parts.hostname or ""))


class Http1Origin:
    """Requests to one origin (scheme, host, port): at most ``max_connections`` at a time (the
    others wait, within their timeout), at most ``max_idle`` connections kept open between
    requests; ``headers`` are sent with every request."""

    def __init__(self, base_url: str, timeout: float, connect_timeout: float = 5.0, max_idle: int = 8,
                 headers: tuple[tuple[str, str], ...] = (), max_connections: int = 32) -> None:  # fmt: skip
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.timeout, self.connect_timeout, self.max_idle = timeout, connect_timeout, max_idle
        self._ssl = ssl.create_default_context(cafile=certifi.where()) if parts.scheme == "https" else None
        self._fixed = [
            f"Host: {parts.netloc.rpartition('@')[2]}",
            *(f"{name}: {value}" for name, value in headers),
        ]
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def request(self, method: str, target: str, body: bytes = b"", content_type: str | None = None,
                      timeout: float | None = None) -> Http1Response:  # fmt: skip
        """Send one request (``target``: path and query) and read the whole response."""
        message = self._head(method, target, body, content_type) + body
        try:
            async with asyncio.timeout(self.timeout if timeout is None else timeout), self._slots:
                connection, reused = await self._acquire()
                try:
                    return await self._exchange(connection, message)
                except _NothingReceived:
                    if not reused:
                        raise
                    return await self._exchange(await self._connect(), message)  # it was stale
        except TimeoutError as exc:
            raise Http1Timeout(f"{method} {self.origin}: no response in time") from exc
        except (OSError, httptools.HttpParserError) as exc:
            raise Http1Error(f"{method} {self.origin}: {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        """Close the idle connections."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _head(self, method: str, target: str, body: bytes, content_type: str | None) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", *self._fixed, f"Content-Length: {len(body)}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _acquire(self) -> tuple[_Connection, bool]:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable():
                return connection, True
            connection.close()
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        try:
            async with asyncio.timeout(self.connect_timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port, ssl=self._ssl)
        except TimeoutError as exc:
            raise Http1ConnectTimeout(f"connect to {self.origin}: timed out") from exc
        except OSError as exc:
            raise Http1Unreachable(f"connect to {self.origin}: {type(exc).__name__}: {exc}") from exc
        return _Connection(reader, writer)

    async def _exchange(self, connection: _Connection, message: bytes) -> Http1Response:
        """Write the request and read its response; the connection is kept only if both ends
        agree to keep it and the response was read to its end."""
        kept = False
        try:
            response, kept = await self._write_and_read(connection, message)
            return response
        finally:
            if kept and len(self._idle) < self.max_idle:
                self._idle.append(connection)
            else:
                connection.close()

    async def _write_and_read(self, connection: _Connection, message: bytes) -> tuple[Http1Response, bool]:
        parsed = _Parsed()
        try:
            connection.writer.write(message)
            await connection.writer.drain()
        except (ConnectionError, RuntimeError) as exc:  # closed while idle
            raise _NothingReceived(str(exc)) from exc
        received = False
        while not parsed.complete:
            data = await _received(connection.reader)
            if not data:
                if not received:
                    raise _NothingReceived(f"{self.origin} closed the connection unanswered")
                raise Http1Error(f"{self.origin} closed the connection mid-response")
            received = True
            parsed.parser.feed_data(data)
        status = parsed.parser.get_status_code()
        return Http1Response(status, b"".join(parsed.body)), parsed.keep_alive


async def _received(reader: asyncio.StreamReader) -> bytes:
    """The next bytes of a response; none when the peer closed or reset the connection."""
    try:
        return await reader.read(READ_SIZE)
    except ConnectionError:
        return b""
