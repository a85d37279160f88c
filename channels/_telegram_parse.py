"""Turn a Telegram Update into an InboundMessage (pure: no network)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from telegram import CallbackQuery, ChatMemberUpdated, Message, PhotoSize, Update, User

from channels._telegram_checks import check_update, is_date
from channels.errors import InvalidSignature, MalformedPayload
from channels.messages import Channel, InboundMessage, MessageKind, utc_now

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CALLBACK_DATA_BYTES = 64


def verify_secret_token(expected: str, received: str | None) -> None:
    """Raise InvalidSignature unless the webhook's secret token header matches (constant time)."""
    if not expected or received is None:
        raise InvalidSignature("missing Telegram secret token")
    if not hmac.compare_digest(expected.encode(), received.encode()):
        raise InvalidSignature("wrong Telegram secret token")


def parse_update(data: Mapping[str, Any]) -> InboundMessage | None:
    """Parse an Update's JSON; None for updates the gateway ignores (e.g. channel posts)."""
    plain = _plain_text(data)
    if plain is not None:
        return plain
    update = _decode(data)
    if update.callback_query is not None:
        return _from_callback(update.update_id, update.callback_query)
    if update.message is not None:
        return _from_message(update.update_id, update.message, edited=False)
    if update.edited_message is not None:
        return _from_message(update.update_id, update.edited_message, edited=True)
    if update.my_chat_member is not None:
        return _from_membership(update.update_id, update.my_chat_member)
    return None


def _plain_text(data: Mapping[str, Any]) -> InboundMessage | None:
    """The most common update, a private text message, read straight from the JSON (building
    python-telegram-bot's objects costs more than the rest of the webhook); anything of another
    shape returns None and goes through python-telegram-bot."""
    if not isinstance(data, Mapping) or len(data) != 2:
        return None
    message, update_id = data.get("message"), data.get("update_id")
    if not isinstance(update_id, int) or not isinstance(message, dict):
        return None
    text, chat, sender, date = (
        message.get("text"),
        message.get("chat"),
        message.get("from"),
        message.get("date"),
    )
    if not (isinstance(text, str) and isinstance(chat, dict) and isinstance(chat.get("id"), int)
            and is_date(date) and (sender is None or _is_user(sender))):  # fmt: skip
        return None
    is_start = text.split(" ", 1)[0].split("@", 1)[0] == "/start"
    return InboundMessage(
        channel=Channel.TELEGRAM, channel_user_id=str(chat["id"]), message_id=str(update_id),
        kind=MessageKind.START if is_start else MessageKind.TEXT, text=text,
        display_name=_full_name(sender) if sender else None, received_at=datetime.fromtimestamp(date, UTC),
    )  # fmt: skip


def _is_user(sender: Any) -> bool:
    return (
        isinstance(sender, dict)
        and isinstance(sender.get("first_name"), str)
        and isinstance(sender.get("id"), int)
    )


def _full_name(sender: dict[str, Any]) -> str:
    """As python-telegram-bot's ``User.full_name``."""
    last = sender.get("last_name")
    return f"{sender['first_name']} {last}" if last else str(sender["first_name"])


def _decode(data: Mapping[str, Any]) -> Update:
    if not isinstance(data, Mapping) or not isinstance(data.get("update_id"), int):
        raise MalformedPayload("a Telegram update needs an integer update_id")
    check_update(data)
    try:
        update = Update.de_json(dict(data), None)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
        raise MalformedPayload(f"not a Telegram update: {exc}") from exc
    if update is None:
        raise MalformedPayload("empty Telegram update")
    return update


def _from_message(update_id: int, message: Message, *, edited: bool) -> InboundMessage:
    fields = _content(message)
    kind = fields.pop("kind")
    return InboundMessage(
        channel=Channel.TELEGRAM,
        channel_user_id=str(message.chat.id),
        message_id=str(update_id),
        kind=MessageKind.EDITED if edited else kind,
        display_name=_name(message.from_user),
        received_at=message.date,
        **fields,
    )


def _content(message: Message) -> dict[str, Any]:
    if message.text is not None:
        is_start = message.text.split(" ", 1)[0].split("@", 1)[0] == "/start"
        return {"kind": MessageKind.START if is_start else MessageKind.TEXT, "text": message.text}
    caption = message.caption or ""
    if message.photo:
        return {"kind": MessageKind.PHOTO, "text": caption, "photo_refs": (_largest(message.photo),)}
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return {"kind": MessageKind.PHOTO, "text": caption, "photo_refs": (document.file_id,)}
    location = message.location or (message.venue.location if message.venue else None)
    if location is not None:
        return {
            "kind": MessageKind.LOCATION,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    return {"kind": MessageKind.UNSUPPORTED, "text": caption}


def _largest(sizes: tuple[PhotoSize, ...]) -> str:
    best = max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0))
    return best.file_id


def _from_callback(update_id: int, query: CallbackQuery) -> InboundMessage:
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return InboundMessage(
        channel=Channel.TELEGRAM,
        channel_user_id=str(chat_id),
        message_id=str(update_id),
        kind=MessageKind.CALLBACK,
        text=query.data or "",
        display_name=_name(query.from_user),
        callback_data=query.data,
        callback_id=query.id,
        received_at=utc_now(),
    )


def _from_membership(update_id: int, change: ChatMemberUpdated) -> InboundMessage | None:
    if change.chat.type != "private":
        return None
    status = change.new_chat_member.status
    kinds = {"kicked": MessageKind.UNFOLLOW, "member": MessageKind.FOLLOW}
    if status not in kinds:
        return None
    return InboundMessage(
        channel=Channel.TELEGRAM,
        channel_user_id=str(change.chat.id),
        message_id=str(update_id),
        kind=kinds[status],
        display_name=_name(change.from_user),
        received_at=change.date,
    )


def _name(user: User | None) -> str | None:
    return user.full_name if user is not None else None


def callback_data_for(title: str, payload: str) -> str:
    """Return callback data within Telegram's 64-byte limit: the payload, else the title."""
    if len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES:
        return payload
    data = title.encode()[:MAX_CALLBACK_DATA_BYTES]
    return data.decode(errors="ignore")
