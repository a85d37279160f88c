"""Web chat adapter: JSON frames from the browser in, JSON frames for the browser out.

Browser → server frame::

    {"type": "text" | "photo" | "location" | "postback",
     "session_id": "w<32 hex digits>", "client_message_id": "<unique per session>",
     "text": "...",                                  # text, and optional caption of a photo
     "payload": "/inform{...}"                       # postback: the button's payload
              | {"url": "..."} | {"urls": [...]}     # photo: URLs from the gateway's upload
              | {"latitude": 15.57, "longitude": 108.47}}  # location

Server → browser frame: ``{"type": "message", "id", "text", "buttons": [{"title", "payload"}],
"image_url"}``.

The session id is the conversation's only credential: "w" and 128 random bits in lower-case hex,
made by chat.js with crypto.getRandomValues and kept in the browser; anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from channels import strict_json
from channels._coordinates import read_coordinates
from channels.errors import MalformedPayload
from channels.messages import Channel, InboundMessage, MessageKind, OutboundMessage

MAX_TEXT = 4000
MAX_PHOTOS = 5
ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,100}")
SESSION_ID_PATTERN = re.compile(r"w[0-9a-f]{32}")
SESSION_ID_RULE = "session_id must be 'w' and 32 lower-case hex digits (128 random bits)"
FRAME_KINDS = {
    "text": MessageKind.TEXT,
    "photo": MessageKind.PHOTO,
    "location": MessageKind.LOCATION,
    "postback": MessageKind.CALLBACK,
}


def parse_frame(frame: str | bytes | Mapping[str, Any]) -> InboundMessage:
    """Parse one browser frame; raise MalformedPayload with the reason if it is invalid."""
    data = _as_mapping(frame)
    kind = FRAME_KINDS.get(str(data.get("type")))
    if kind is None:
        raise MalformedPayload("unknown frame type")
    session_id = data.get("session_id")
    if not is_session_id(session_id):
        raise MalformedPayload(SESSION_ID_RULE)
    client_id = _identifier(data, "client_message_id")
    return InboundMessage(
        channel=Channel.WEBCHAT,
        channel_user_id=session_id,
        message_id=f"{session_id}:{client_id}",
        kind=kind,
        **_content(kind, data),
    )


def is_session_id(value: object) -> TypeGuard[str]:
    """True for a well-formed web chat session id."""
    return isinstance(value, str) and SESSION_ID_PATTERN.fullmatch(value) is not None


def render_frame(message: OutboundMessage) -> dict[str, Any]:
    """Render a reply as the JSON frame the browser widget shows."""
    return {
        "type": "message",
        "id": message.idempotency_key,
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "image_url": message.image_url,
    }


def _as_mapping(frame: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(frame, Mapping):
        return frame
    try:
        data = strict_json.loads(frame)
    except ValueError as exc:
        raise MalformedPayload(f"frame is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedPayload("frame must be a JSON object")
    return data


def _identifier(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise MalformedPayload(f"{key} must be 1-100 letters, digits or _.-")
    return value


def _content(kind: MessageKind, data: Mapping[str, Any]) -> dict[str, Any]:
    text = _text(data.get("text"))
    payload = data.get("payload")
    if kind is MessageKind.TEXT:
        if not text.strip():
            raise MalformedPayload("text frame without text")
        return {"text": text}
    if kind is MessageKind.CALLBACK:
        if not isinstance(payload, str) or not payload.strip():
            raise MalformedPayload("postback frame needs a string payload")
        return {"text": payload, "callback_data": payload}
    if kind is MessageKind.PHOTO:
        return {"text": text, "photo_urls": _photo_urls(payload)}
    return _location(payload if isinstance(payload, Mapping) else data)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise MalformedPayload(f"text must be a string of at most {MAX_TEXT} characters")
    return value


def _photo_urls(payload: Any) -> tuple[str, ...]:
    if not isinstance(payload, Mapping):
        raise MalformedPayload("photo frame needs a payload with url or urls")
    urls = payload.get("urls") or ([payload["url"]] if payload.get("url") else [])
    if not isinstance(urls, list) or not 1 <= len(urls) <= MAX_PHOTOS:
        raise MalformedPayload(f"photo frame needs 1-{MAX_PHOTOS} urls")
    if not all(isinstance(url, str) and url.startswith(("http://", "https://", "/")) for url in urls):
        raise MalformedPayload("photo urls must be http(s) URLs or site paths")
    return tuple(urls)


def _location(payload: Mapping[str, Any]) -> dict[str, Any]:
    latitude, longitude = read_coordinates(payload, "location frame")
    return {"latitude": latitude, "longitude": longitude}
