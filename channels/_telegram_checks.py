"""Check the types of the Update fields the parser reads, before python-telegram-bot builds its
objects (it trusts the JSON: a number as ``text`` or a list as ``first_name`` passes through)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from channels._coordinates import read_coordinates
from channels.errors import MalformedPayload

MAX_DATE = 4_102_444_800  # 2100-01-01: later (or negative) dates are not Telegram's


def check_update(data: Mapping[str, Any]) -> None:
    """Raise MalformedPayload naming the first field of the wrong type."""
    for key in ("message", "edited_message"):
        if data.get(key) is not None:
            _check_message(_mapping(data[key], key), key)
    if data.get("callback_query") is not None:
        _check_callback(_mapping(data["callback_query"], "callback_query"))
    if data.get("my_chat_member") is not None:
        _check_membership(_mapping(data["my_chat_member"], "my_chat_member"))


def is_date(value: Any) -> TypeGuard[int]:
    """True for a Unix time Telegram could send."""
    return _is_int(value) and 0 <= value <= MAX_DATE


def _check_message(message: Mapping[str, Any], where: str) -> None:
    _check_chat(message.get("chat"), f"{where}.chat")
    _require(is_date(message.get("date")), f"{where}.date must be a Unix time")
    for key in ("text", "caption"):
        _optional_str(message.get(key), f"{where}.{key}")
    if message.get("from") is not None:
        _check_user(message["from"], f"{where}.from")
    for size in _list(message.get("photo"), f"{where}.photo"):
        _check_photo_size(_mapping(size, f"{where}.photo[]"), f"{where}.photo[]")
    if message.get("document") is not None:
        _check_file(_mapping(message["document"], f"{where}.document"), f"{where}.document")
    _check_location(message, where)


def _check_location(message: Mapping[str, Any], where: str) -> None:
    venue = message.get("venue")
    if venue is not None:
        _check_location(_mapping(venue, f"{where}.venue"), f"{where}.venue")
    if message.get("location") is not None:
        read_coordinates(_mapping(message["location"], f"{where}.location"), f"{where}.location")


def _check_callback(query: Mapping[str, Any]) -> None:
    _require(isinstance(query.get("id"), str), "callback_query.id must be a string")
    _check_user(query.get("from"), "callback_query.from")
    _optional_str(query.get("data"), "callback_query.data")
    if query.get("message") is not None:
        message = _mapping(query["message"], "callback_query.message")
        _check_chat(message.get("chat"), "callback_query.message.chat")


def _check_membership(change: Mapping[str, Any]) -> None:
    _check_chat(change.get("chat"), "my_chat_member.chat")
    _check_user(change.get("from"), "my_chat_member.from")
    _require(is_date(change.get("date")), "my_chat_member.date must be a Unix time")
    for key in ("old_chat_member", "new_chat_member"):
        member = _mapping(change.get(key), f"my_chat_member.{key}")
        _require(isinstance(member.get("status"), str), f"my_chat_member.{key}.status must be a string")
        _check_user(member.get("user"), f"my_chat_member.{key}.user")


def _check_chat(chat: Any, where: str) -> None:
    chat = _mapping(chat, where)
    _require(_is_int(chat.get("id")), f"{where}.id must be an integer")
    _require(isinstance(chat.get("type", ""), str), f"{where}.type must be a string")


def _check_user(user: Any, where: str) -> None:
    user = _mapping(user, where)
    _require(_is_int(user.get("id")), f"{where}.id must be an integer")
    _require(isinstance(user.get("first_name"), str), f"{where}.first_name must be a string")
    _optional_str(user.get("last_name"), f"{where}.last_name")


def _check_photo_size(size: Mapping[str, Any], where: str) -> None:
    _check_file(size, where)
    for key in ("width", "height"):
        _require(_is_int(size.get(key)), f"{where}.{key} must be an integer")
    file_size = size.get("file_size")
    _require(file_size is None or _is_int(file_size), f"{where}.file_size must be an integer")


def _check_file(file: Mapping[str, Any], where: str) -> None:
    _require(isinstance(file.get("file_id"), str), f"{where}.file_id must be a string")
    _optional_str(file.get("mime_type"), f"{where}.mime_type")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    _require(isinstance(value, Mapping), f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    _require(value is None or isinstance(value, list), f"{where} must be a list")
    return value or []


def _optional_str(value: Any, where: str) -> None:
    _require(value is None or isinstance(value, str), f"{where} must be a string")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise MalformedPayload(f"not a Telegram update we understand: {reason}")
