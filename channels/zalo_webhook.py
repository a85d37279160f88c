"""Zalo OA webhooks: signature check and event parsing into InboundMessage."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels import strict_json
from channels._coordinates import read_coordinates
from channels.config import ZaloConfig
from channels.errors import InvalidSignature, MalformedPayload
from channels.messages import Channel, InboundMessage, MessageKind, utc_now

SIGNATURE_HEADER = "X-ZEvent-Signature"
# "timestamp": 1700000000000 or "timestamp": "1700000000000", read before the body is parsed
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,32})"?')
MAX_TIMESTAMP_CANDIDATES = 8
MAX_ID_LENGTH = 100
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


def verify_signature(raw_body: bytes, header: str | None, app_id: str, oa_secret_key: str) -> str:
    """Raise InvalidSignature unless ``X-ZEvent-Signature`` matches the raw body; return the signed
    timestamp. Checked before the body is parsed: the timestamp is read from the raw bytes."""
    if not header or not app_id or not oa_secret_key:
        raise InvalidSignature("missing Zalo signature")
    received = header.strip().removeprefix("mac=").strip().lower().encode()
    for timestamp in _timestamp_candidates(raw_body):
        expected = signature_for(app_id, raw_body, timestamp, oa_secret_key)
        if hmac.compare_digest(expected.encode(), received):
            return timestamp
    raise InvalidSignature("wrong Zalo signature")


def _timestamp_candidates(raw_body: bytes) -> list[str]:
    found = list(dict.fromkeys(m.group(1).decode() for m in _TIMESTAMP.finditer(raw_body)))
    if not found:
        raise InvalidSignature("Zalo webhook body has no timestamp")
    return found[-MAX_TIMESTAMP_CANDIDATES:]  # Zalo writes the event's own timestamp last


def parse_webhook(
    raw_body: bytes,
    header: str | None,
    config: ZaloConfig,
    now: datetime | None = None,
) -> InboundMessage | None:
    """Verify and parse a raw webhook request body; None for events the gateway ignores."""
    timestamp = verify_signature(raw_body, header, config.app_id, config.oa_secret_key)
    event = _signed_event(raw_body, timestamp, config.app_id)
    _check_fresh(_time(event), config.webhook_max_age_seconds, now or utc_now())
    return parse_event(event)


def _signed_event(raw_body: bytes, timestamp: str, app_id: str) -> Mapping[str, Any]:
    try:
        event = strict_json.loads(raw_body)
    except ValueError as exc:
        raise MalformedPayload(f"Zalo webhook body is not JSON: {exc}") from exc
    if not isinstance(event, dict) or str(event.get("timestamp")) != timestamp:
        raise MalformedPayload("the signed timestamp is not the event's timestamp")
    if str(event.get("app_id", app_id)) != app_id:
        raise InvalidSignature("the event is for another Zalo app")
    return event


def _check_fresh(sent: datetime, max_age_seconds: float, now: datetime) -> None:
    if max_age_seconds and abs((now - sent).total_seconds()) > max_age_seconds:
        raise InvalidSignature(f"Zalo event timestamp is more than {max_age_seconds:g} s from now")


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
    msg_id = _scalar_id(message.get("msg_id"), "message.msg_id")
    text = message.get("text")
    if not isinstance(text, str | None):
        raise MalformedPayload("Zalo message.text must be a string")
    photo_urls = fields.get("photo_urls", ())
    return InboundMessage(
        channel=Channel.ZALO,
        channel_user_id=_id(event, "sender"),
        message_id=msg_id,
        kind=kind,
        text=text or "",
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
    return _scalar_id(_object(event, key).get("id"), f"{key}.id")


def _scalar_id(value: Any, name: str) -> str:
    """An id Zalo sends as a string or a number; anything else is malformed."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise MalformedPayload(f"Zalo event has no {name} (a string or a number)")
    if len(str(value)) > MAX_ID_LENGTH:
        raise MalformedPayload(f"Zalo {name} is longer than {MAX_ID_LENGTH} characters")
    return str(value)


def _time(event: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(event["timestamp"]) / 1000, UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedPayload("Zalo event timestamp must be milliseconds since 1970") from exc
