"""The client's address as the server saw it (ASGI ``scope['client']``).

Behind a reverse proxy, run uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>`` so
this is the address the proxy reports; X-Forwarded-For is never read here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = "unknown"


def client_host(scope: Mapping[str, Any]) -> str:
    """The peer address of an HTTP request or WebSocket ("unknown" on a Unix socket)."""
    client = scope.get("client")
    return str(client[0]) if client else UNKNOWN
