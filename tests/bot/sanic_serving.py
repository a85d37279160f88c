"""Serve a Sanic app (a Rasa channel, the action server) on a free loopback port and call it over
HTTP, inside one asyncio.run."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from sanic import Sanic


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """Serve ``app`` until the block ends; yield its base URL."""
    port = free_port()
    Sanic.test_mode = True  # Sanic's start-up rewrites its protocol class: from the original each time
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def call(
    method: str, url: str, body: object = None, token: str | None = None, raw: bytes | None = None
) -> tuple[int, object]:
    """Status and decoded JSON of one request, with ``Authorization: Bearer <token>`` when given."""
    headers: dict[str, str] = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as http:
        kwargs = {"data": raw} if raw is not None else {"json": body}
        async with http.request(method, url, headers=headers, **kwargs) as response:
            return response.status, await response.json(content_type=None)
