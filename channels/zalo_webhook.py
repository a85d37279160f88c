"""Zalo OA webhooks: signature check and event parsing into InboundMessage."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels._coordinates import read_coordinates
from channels.errors import InvalidSignature, MalformedPayload
from channels.messages import Channel, InboundMessage, MessageKind, utc_now

SIGNATURE_HEADER = "X-ZEvent-Signature"
IGNORED_EVENTS = frozenset(
    {"user_received_message", "user_seen_message", "user_reacted_message", "oa_reacted_message"}
)
UNSUPPORTED_EVENTS = frozenset(
    {
        "user_send_sticker", "user_send_gif", "user_send_audio", "user_send_video",
        "user_send_file", "user_send_link", "user_send_business_card",
    }
)  # fmt: skip


def signature_for(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Return Zalo's mac: hex SHA-256 of app_id + raw body + timestamp + OA secret key."""
    data = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def verify_signature(raw_body: bytes, header: str | None, app_id: str, oa_secret_key: str) -> None:
    """Raise InvalidSignature unless ``X-ZEvent-Signature`` matches the body."""
    if not header or not app_id or not oa_secret_key:
        raise InvalidSignature("missing Zalo signature")
    received = header.strip().removeprefix("mac=").strip()
    timestamp = _timestamp_field(raw_body)
    expected = signature_for(app_id, raw_body, timestamp, oa_secret_key)
    if not hmac.compare_digest(expected.encode(), received.lower().encode()):
        raise InvalidSignature("wrong Zalo signature")


def _timestamp_field(raw_body: bytes) -> str:
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSignature("Zalo webhook body is not JSON") from exc
    if not isinstance(body, dict) or body.get("timestamp") is None:
        raise InvalidSignature("Zalo webhook body has no timestamp")
    return str(body["timestamp"])


def parse_webhook(
    raw_body: bytes, header: str | None, app_id: str, oa_secret_key: str
) -> InboundMessage | None:
    """Verify and parse a raw webhook request body; None for events the gateway ignores."""
    verify_signature(raw_body, header, app_id, oa_secret_key)
    return parse_event(json.loads(raw_body))


def parse_event(event: Mapping[str, Any]) -> InboundMessage | None:
    """Parse one Zalo OA event; None for the OA's own echoes, receipts and unknown events."""
    name = str(event.get("event_name", ""))
    if name.startswith("oa_send_") or name in IGNORED_EVENTS:
        return None
    if name in ("follow", "unfollow"):
        return _membership(event, name)
    if name == "user_send_text":
        return _message(event, MessageKind.TEXT)
    if name == "user_send_image":
        return _message(event, MessageKind.PHOTO, photo_urls=_image_urls(event))
    if name == "user_send_location":
        latitude, longitude = _coordinates(event)
        return _message(event, MessageKind.LOCATION, latitude=latitude, longitude=longitude)
    if name in UNSUPPORTED_EVENTS:
        return _message(event, MessageKind.UNSUPPORTED)
    return None


def _message(event: Mapping[str, Any], kind: MessageKind, **fields: Any) -> InboundMessage:
    message = _object(event, "message")
    msg_id = message.get("msg_id")
    if not msg_id:
        raise MalformedPayload("Zalo message has no msg_id")
    photo_urls = fields.get("photo_urls", ())
    return InboundMessage(
        channel=Channel.ZALO,
        channel_user_id=_id(event, "sender"),
        message_id=str(msg_id),
        kind=kind,
        text=str(message.get("text") or ""),
        photo_refs=photo_urls,
        received_at=_time(event),
        **fields,
    )


def _membership(event: Mapping[str, Any], name: str) -> InboundMessage:
    user_id = _id(event, "follower")
    return InboundMessage(
        channel=Channel.ZALO,
        channel_user_id=user_id,
        message_id=f"{name}:{user_id}:{event.get('timestamp', '')}",
        kind=MessageKind.FOLLOW if name == "follow" else MessageKind.UNFOLLOW,
        received_at=_time(event),
    )


def _attachments(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = _object(event, "message").get("attachments") or []
    if not isinstance(found, list):
        raise MalformedPayload("Zalo attachments must be a list")
    return [a for a in found if isinstance(a, Mapping)]


def _payload(attachment: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = attachment.get("payload")
    return payload if isinstance(payload, Mapping) else {}


def _image_urls(event: Mapping[str, Any]) -> tuple[str, ...]:
    urls = tuple(str(_payload(a)["url"]) for a in _attachments(event) if _payload(a).get("url"))
    if not urls:
        raise MalformedPayload("Zalo image event has no attachment url")
    return urls


def _coordinates(event: Mapping[str, Any]) -> tuple[float, float]:
    for attachment in _attachments(event):
        coordinates = _payload(attachment).get("coordinates")
        if isinstance(coordinates, Mapping):
            return read_coordinates(coordinates, "Zalo location")
    raise MalformedPayload("Zalo location event has no coordinates")


def _object(event: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = event.get(key)
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"Zalo event has no {key}")
    return value


def _id(event: Mapping[str, Any], key: str) -> str:
    value = _object(event, key).get("id")
    if value in (None, ""):
        raise MalformedPayload(f"Zalo event has no {key}.id")
    return str(value)


def _time(event: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(event["timestamp"]) / 1000, UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return utc_now()
