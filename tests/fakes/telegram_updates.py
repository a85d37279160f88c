"""Build realistic Telegram Update JSON, as the Bot API delivers it to a webhook."""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(500_000_000)
_message_ids = itertools.count(1)


def _user(user_id: int, first_name: str, last_name: str | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name,
                            "language_code": "vi"}  # fmt: skip
    if last_name:
        user["last_name"] = last_name
    return user


def _message(chat_id: int, first_name: str, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "from": _user(chat_id, first_name, content.pop("last_name", None)),
        "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
        "date": int(time.time()),
        **content,
    }


def update(**body: Any) -> dict[str, Any]:
    """Wrap a body into an Update with a fresh update_id."""
    return {"update_id": next(_update_ids), **body}


def text_update(
    chat_id: int, text: str, *, first_name: str = "Lan", last_name: str | None = None
) -> dict[str, Any]:
    """A text message from a private chat."""
    return update(message=_message(chat_id, first_name, text=text, last_name=last_name))


def start_update(chat_id: int, *, payload: str = "") -> dict[str, Any]:
    """The /start command (optionally with a deep-link payload)."""
    text = f"/start {payload}".strip()
    entity = {"offset": 0, "length": len("/start"), "type": "bot_command"}
    return update(message=_message(chat_id, "Lan", text=text, entities=[entity]))


def photo_update(chat_id: int, file_id: str, *, caption: str | None = None) -> dict[str, Any]:
    """A photo in three sizes; ``file_id`` is the largest."""
    sizes = [
        {"file_id": f"{file_id}-s", "file_unique_id": "s", "width": 90, "height": 67, "file_size": 1200},
        {"file_id": f"{file_id}-m", "file_unique_id": "m", "width": 320, "height": 240, "file_size": 15000},
        {"file_id": file_id, "file_unique_id": "l", "width": 1280, "height": 960, "file_size": 120000},
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return update(message=_message(chat_id, "Lan", **content))


def image_document_update(chat_id: int, file_id: str) -> dict[str, Any]:
    """A photo sent uncompressed, as a file."""
    document = {"file_id": file_id, "file_unique_id": "d", "file_name": "IMG_0001.jpg",
                "mime_type": "image/jpeg", "file_size": 2_000_000}  # fmt: skip
    return update(message=_message(chat_id, "Lan", document=document))


def location_update(chat_id: int, latitude: float, longitude: float) -> dict[str, Any]:
    """A shared location."""
    return update(message=_message(chat_id, "Lan", location={"latitude": latitude, "longitude": longitude}))


def callback_update(chat_id: int, data: str, *, query_id: str = "4382bfdwdsb323b2d9") -> dict[str, Any]:
    """A press on an inline button under one of the bot's messages."""
    bot_message = {"message_id": next(_message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
                   "from": {"id": 123456, "is_bot": True, "first_name": "IOC"}, "text": "Chọn:"}  # fmt: skip
    query = {"id": query_id, "from": _user(chat_id, "Lan"), "chat_instance": "-1234",
             "message": bot_message, "data": data}  # fmt: skip
    return update(callback_query=query)


def edited_update(chat_id: int, text: str) -> dict[str, Any]:
    """An edit of an earlier text message."""
    message = _message(chat_id, "Lan", text=text)
    message["edit_date"] = message["date"] + 5
    return update(edited_message=message)


def sticker_update(chat_id: int) -> dict[str, Any]:
    """A sticker (a type the bot does not handle)."""
    sticker = {"file_id": "CAACAgIAAx", "file_unique_id": "st", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}  # fmt: skip
    return update(message=_message(chat_id, "Lan", sticker=sticker))


def blocked_update(chat_id: int, *, blocked: bool = True) -> dict[str, Any]:
    """The citizen blocked (or unblocked) the bot."""
    now = int(time.time())
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    bot = {"id": 123456, "is_bot": True, "first_name": "IOC"}
    change = {
        "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
        "from": _user(chat_id, "Lan"),
        "date": now,
        "old_chat_member": _member(bot, old),
        "new_chat_member": _member(bot, new),
    }
    return update(my_chat_member=change)


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    return {"user": user, "status": status, **({"until_date": 0} if status == "kicked" else {})}


def channel_post_update(chat_id: int, text: str) -> dict[str, Any]:
    """A post in a channel the bot administers (ignored)."""
    post = {"message_id": next(_message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "channel", "title": "Tin tức"}, "text": text}  # fmt: skip
    return update(channel_post=post)
