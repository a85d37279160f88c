"""A fake Rasa server speaking our gateway channel (POST /webhooks/gateway/webhook, only with
``Authorization: Bearer <token>``, like bot/gateway_channel.py) for gateway tests.

It answers every message with one text reply ("Bot đã nhận: <message>"), buttons when asked
("nút"), a reply with a NUL character for "ký tự NUL" (the database cannot store it), and can be
switched down (HTTP 503) or slow (sleeps past the gateway's ack timeout).
``stop()`` then ``start(port)`` is Rasa's process ending (the port refuses connections, kept-alive
ones are closed) and starting again where the gateway expects it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tests.fakes._http import FakeHttpServer, FakeRequest, FakeResponse

GATEWAY_PATH = "/webhooks/gateway/webhook"
FAKE_GATEWAY_TOKEN = "fake-rasa-gateway-token"


@dataclass(frozen=True)
class RasaCall:
    """One message the gateway forwarded."""

    sender: str
    message: str
    metadata: dict[str, Any]


class FakeRasaServer(FakeHttpServer):
    """Records forwarded messages; ``down`` answers 503; ``delay`` slows every answer; a call
    without ``token`` gets 401."""

    def __init__(self, token: str = FAKE_GATEWAY_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.calls: list[RasaCall] = []
        self.down = False
        self.delay = 0.0

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer the gateway channel like Rasa does (and its root, open to anyone)."""
        if request.path == "/" and request.method == "GET":
            return FakeResponse(200, b"Hello from Rasa: 3.6.21", "text/plain")
        if request.path != GATEWAY_PATH or request.method != "POST":
            return FakeResponse(404, b"Not Found", "text/plain")
        if request.header("authorization") != f"Bearer {self.token}":
            return FakeResponse.of_json({"error": "no secret"}, status=401)
        if self.down:
            return FakeResponse(503, b"Service Unavailable", "text/plain")
        if self.delay:
            time.sleep(self.delay)
        body = request.json() or {}
        call = RasaCall(str(body.get("sender")), str(body.get("message")), dict(body.get("metadata") or {}))
        with self.lock:
            self.calls.append(call)
        return FakeResponse.of_json(_replies(call))

    def messages_from(self, sender: str) -> list[str]:
        """Messages forwarded for one sender, in arrival order."""
        with self.lock:
            return [call.message for call in self.calls if call.sender == sender]

    def calls_from(self, sender: str) -> list[RasaCall]:
        """Calls for one sender."""
        with self.lock:
            return [call for call in self.calls if call.sender == sender]


def _replies(call: RasaCall) -> list[dict[str, Any]]:
    reply: dict[str, Any] = {"recipient_id": call.sender, "text": f"Bot đã nhận: {call.message}"}
    if "nút" in call.message:
        reply["buttons"] = [{"title": "Có", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]
    if "ký tự NUL" in call.message:  # a reply the database cannot store (a poison answer)
        reply["text"] = "trả lời\x00hỏng"
    if "hai câu" in call.message:
        return [reply, {"recipient_id": call.sender, "text": "Câu thứ hai"}]
    return [reply]
