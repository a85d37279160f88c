"""Build realistic, signed Zalo OA webhook requests."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any

OA_ID = "388613280878808645"
_msg_ids = itertools.count(1)


def sign(event: dict[str, Any], app_id: str, oa_secret_key: str) -> tuple[bytes, dict[str, str]]:
    """Serialise ``event`` and return (raw body, headers) with a valid X-ZEvent-Signature."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    return body, sign_body(body, str(event["timestamp"]), app_id, oa_secret_key)


def sign_body(body: bytes, timestamp: str, app_id: str, oa_secret_key: str) -> dict[str, str]:
    """Headers with a valid X-ZEvent-Signature for a raw body (which need not be valid JSON)."""
    mac = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode())
    return {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac.hexdigest()}"}


def _now_ms() -> str:
    return str(int(time.time() * 1000))


def _user_event(app_id: str, user_id: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
    message = {"msg_id": f"{next(_msg_ids):032x}", **message}
    return {"app_id": app_id, "user_id_by_app": "552177279717587730", "event_name": name,
            "sender": {"id": user_id}, "recipient": {"id": OA_ID}, "message": message,
            "timestamp": _now_ms()}  # fmt: skip


def text_event(app_id: str, user_id: str, text: str) -> dict[str, Any]:
    """user_send_text."""
    return _user_event(app_id, user_id, "user_send_text", {"text": text})


def image_event(app_id: str, user_id: str, url: str, *, text: str = "") -> dict[str, Any]:
    """user_send_image with one attachment."""
    attachment = {"type": "image", "payload": {"thumbnail": url, "url": url}}
    return _user_event(app_id, user_id, "user_send_image", {"text": text, "attachments": [attachment]})


def location_event(app_id: str, user_id: str, latitude: float, longitude: float) -> dict[str, Any]:
    """user_send_location (coordinates arrive as strings)."""
    coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    return _user_event(app_id, user_id, "user_send_location", {"text": "", "attachments": [attachment]})


def sticker_event(app_id: str, user_id: str) -> dict[str, Any]:
    """user_send_sticker (not handled by the bot)."""
    attachment = {"type": "sticker", "payload": {"id": "bfe458bf64fa8da4d4eb", "url": "https://zalo.me/s"}}
    return _user_event(app_id, user_id, "user_send_sticker", {"attachments": [attachment]})


def follow_event(app_id: str, user_id: str, *, follow: bool = True) -> dict[str, Any]:
    """follow / unfollow."""
    return {"app_id": app_id, "oa_id": OA_ID, "user_id_by_app": "552177279717587730",
            "event_name": "follow" if follow else "unfollow", "source": "testing_webhook",
            "follower": {"id": user_id}, "timestamp": _now_ms()}  # fmt: skip


def oa_echo_event(app_id: str, user_id: str, text: str) -> dict[str, Any]:
    """oa_send_text: the OA's own message echoed back."""
    event = _user_event(app_id, OA_ID, "oa_send_text", {"text": text})
    return event | {"recipient": {"id": user_id}}


def seen_event(app_id: str, user_id: str) -> dict[str, Any]:
    """user_seen_message: a read receipt."""
    return _user_event(app_id, user_id, "user_seen_message", {"msg_ids": ["abc"]})
