"""The kept-alive HTTP/1.1 client against a scripted local server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from channels.http1 import Http1Error, Http1Origin, Http1Timeout

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
Answer = Callable[[bytes], bytes | None]  # request head + body → raw response (None: stay silent)


@dataclass
class Scripted:
    """An HTTP server that answers each request with what ``answer`` returns."""

    answer: Answer
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    open: list[asyncio.StreamWriter] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open.append(writer)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                response = self.answer(request)
                if response is None:  # until the client gives up and closes
                    await reader.read()
                    return
                writer.write(response)
                if b"Connection: close" in response:
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def drop_all(self) -> None:
        """Close every connection from the server's side (an idle keep-alive timeout)."""
        for writer in self.open:
            writer.close()
        self.open.clear()


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[Scripted, str]]:
    server = Scripted(lambda _: OK)
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, f"http://127.0.0.1:{port}"


async def test_requests_share_one_kept_alive_connection(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    origin = Http1Origin(url, timeout=5)
    for _ in range(3):
        response = await origin.request("POST", "/webhooks/rest/webhook", b'{"a":1}', "application/json")
        assert (response.status, response.body) == (200, b'{"ok":true}')
    await origin.aclose()
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b'Content-Length: 7\r\nContent-Type: application/json\r\n\r\n{"a":1}' in server.requests[0]


async def test_chunked_body_and_connection_close(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    server.answer = lambda _: (b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n"
                               b"Connection: close\r\n\r\n4\r\nbusy\r\n3\r\n!!!\r\n0\r\n\r\n")  # fmt: skip
    origin = Http1Origin(url, timeout=5)
    first = await origin.request("GET", "/status")
    second = await origin.request("GET", "/status")
    assert (first.status, first.body) == (503, b"busy!!!") and second.body == b"busy!!!"
    assert server.connections == 2  # the server asked to close: not reused


async def test_a_connection_the_server_dropped_while_idle_is_replaced(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    origin = Http1Origin(url, timeout=5)
    await origin.request("GET", "/")
    server.drop_all()
    await asyncio.sleep(0.05)
    assert (await origin.request("GET", "/")).status == 200
    assert server.connections == 2 and len(server.requests) == 2  # sent once on the new connection


async def test_a_silent_server_times_out(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    server.answer = lambda _: None
    origin = Http1Origin(url, timeout=0.2)
    with pytest.raises(Http1Timeout):
        await origin.request("POST", "/", b"x")


async def test_refused_and_truncated_responses_are_errors(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    with pytest.raises(Http1Error):
        await Http1Origin("http://127.0.0.1:9", timeout=2).request("GET", "/")
    server.answer = lambda _: b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc"
    with pytest.raises(Http1Error):
        await Http1Origin(url, timeout=2).request("GET", "/")


async def test_at_most_max_connections_at_a_time(scripted: tuple[Scripted, str]) -> None:
    server, url = scripted
    origin = Http1Origin(url, timeout=5, max_connections=2)
    responses = await asyncio.gather(*(origin.request("GET", f"/{i}") for i in range(6)))
    await origin.aclose()
    assert [r.status for r in responses] == [200] * 6 and server.connections == 2
