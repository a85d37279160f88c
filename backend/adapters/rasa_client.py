"""Rasa's gateway channel (bot/gateway_channel.py) as seen from the gateway: post one user message
with the shared secret, get the bot's replies. Several Rasa replicas (RASA_URL a comma-separated
list) take the messages in turn; one that refuses the connection is skipped for the next. The
replicas must share a tracker store and a lock store (bot/endpoints.redis.yml)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from channels.http1 import Http1Error, Http1Origin, Http1Response, Http1Unreachable

GATEWAY_WEBHOOK_PATH = "/webhooks/gateway/webhook"


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or an error status): keep the message pending."""


@dataclass(frozen=True)
class BotReply:
    """One message of the bot: text, buttons (title, payload) and an image URL."""

    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    image_url: str | None = None

    def payload(self) -> dict[str, Any]:
        """The outbox payload."""
        return {"text": self.text, "buttons": self.buttons, "image_url": self.image_url}


class RasaClient:
    """Posts to ``{RASA_URL}/webhooks/gateway/webhook`` with ``Authorization: Bearer <token>`` over
    kept-alive HTTP/1.1 connections, round-robin over the comma-separated replicas of ``base_url``."""

    def __init__(self, base_url: str, timeout: float, token: str) -> None:
        headers = (("Authorization", f"Bearer {token}"),)
        urls = [url.strip() for url in base_url.split(",") if url.strip()]
        if not urls:
            raise ValueError("RASA_URL names no Rasa server")
        self._replicas = [(_webhook_path(url), Http1Origin(url, timeout, headers=headers)) for url in urls]
        self._turn = itertools.count()

    async def close(self) -> None:
        """Close the kept-alive connections."""
        for _, http in self._replicas:
            await http.aclose()

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send one message; raise RasaUnavailable unless Rasa answers a list of replies."""
        body = json.dumps({"sender": sender, "message": message, "metadata": metadata}).encode()
        response = await self._post(body)
        if response.status in (401, 403):
            raise RasaUnavailable(f"Rasa refused the gateway ({response.status}): check RASA_GATEWAY_TOKEN")
        if response.status != 200:
            raise RasaUnavailable(f"Rasa answered {response.status}")
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered non-JSON") from exc
        if not isinstance(data, list):
            raise RasaUnavailable("Rasa answered an unexpected shape")
        return [reply for item in data if isinstance(item, dict) and (reply := _reply(item))]

    async def _post(self, body: bytes) -> Http1Response:
        """The next replica's answer; replicas that cannot be reached (nothing sent) are skipped."""
        start = next(self._turn)
        for offset in range(len(self._replicas)):
            path, http = self._replicas[(start + offset) % len(self._replicas)]
            try:
                return await http.request("POST", path, body, "application/json")
            except Http1Unreachable as exc:
                unreachable = exc
            except Http1Error as exc:  # maybe delivered: another replica could answer it twice
                raise RasaUnavailable(f"Rasa unreachable: {exc}") from exc
        raise RasaUnavailable(f"no Rasa replica reachable: {unreachable}") from unreachable


def _webhook_path(base_url: str) -> str:
    return urlsplit(base_url).path.rstrip("/") + GATEWAY_WEBHOOK_PATH


def _reply(item: dict[str, Any]) -> BotReply | None:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in item.get("buttons") or []
        if isinstance(b, dict) and b.get("payload")
    ]
    text = str(item.get("text") or "")
    image = item.get("image")
    if not text and not buttons and not image:
        return None
    return BotReply(text, buttons, str(image) if image else None)
