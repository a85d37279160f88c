"""Readiness probes: can this backend reach the database, Redis, Rasa and the action server?"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx
import redis
from sqlalchemy import Engine, text

PROBE_TIMEOUT = 2.0


def database_ready(engine: Engine) -> None:
    """SELECT 1 on the database; raises when it does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def redis_ready(url: str) -> None:
    """PING Redis; raises when it does not answer."""
    client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


async def http_ready(client: httpx.AsyncClient, url: str) -> None:
    """GET url (Rasa's root answers without a secret, the action server's /health too)."""
    response = await client.get(url, timeout=PROBE_TIMEOUT)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def action_health_url(webhook_url: str) -> str:
    """The action server's /health next to its /webhook (ACTION_ENDPOINT_URL)."""
    parts = urlsplit(webhook_url)
    path = parts.path.rsplit("/webhook", 1)[0].rstrip("/") + "/health"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
