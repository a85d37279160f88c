"""Rasa's REST channel as seen from the gateway: post one user message, get the bot's replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"


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
    """Posts to ``{RASA_URL}/webhooks/rest/webhook``."""

    def __init__(self, base_url: str, timeout: float, http: httpx.AsyncClient | None = None) -> None:
        self._url = base_url.rstrip("/") + REST_WEBHOOK_PATH
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=5.0))

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send one message; raise RasaUnavailable unless Rasa answers a list of replies."""
        body = {"sender": sender, "message": message, "metadata": metadata}
        try:
            response = await self._http.post(self._url, json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered non-JSON") from exc
        if not isinstance(data, list):
            raise RasaUnavailable("Rasa answered an unexpected shape")
        return [reply for item in data if isinstance(item, dict) and (reply := _reply(item))]


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
