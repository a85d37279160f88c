"""Signed but malformed webhooks (right secret or signature, broken content): Telegram's are
acknowledged and ignored (it redelivers anything but a 2xx), Zalo's get a 4xx with the reason;
never a 5xx, and nothing is stored, twice or at all."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from backend.adapters.db.gateway_models import InboundRecord
from tests.fakes import telegram_updates as tg
from tests.fakes import zalo_webhooks as zw
from tests.integration.gateway.conftest import OA_SECRET_KEY, WEBHOOK_SECRET, GatewayStack

DEEP = b"[" * 1000 + b"]" * 1000
Edit = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Edit:
    """An edit that sets a dotted path of the update (``message.photo.0.width``)."""
    return lambda update: _parent(update, path).__setitem__(_key(path.rsplit(".", 1)[-1]), value)


def _drop(path: str) -> Edit:
    """An edit that deletes a dotted path of the update."""
    return lambda update: _parent(update, path).__delitem__(_key(path.rsplit(".", 1)[-1]))


def _parent(update: dict[str, Any], path: str) -> Any:
    target: Any = update
    for key in path.split(".")[:-1]:
        target = target[_key(key)]
    return target


def _key(key: str) -> Any:
    return int(key) if key.isdigit() else key


def _stored(stack: GatewayStack, channel: str, message_id: str) -> list[Any]:
    record = InboundRecord
    return stack.query(select(record.id).where(record.channel == channel, record.message_id == message_id))


def _telegram_raw(stack: GatewayStack, body: bytes) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "Content-Type": "application/json"}
    return stack.client.post("/webhooks/telegram", content=body, headers=headers)


BROKEN_TELEGRAM: list[tuple[str, Callable[[], dict[str, Any]], Edit]] = [
    ("text a number", lambda: tg.text_update(95001, "x"), _set("message.text", 5)),
    ("text a bool", lambda: tg.text_update(95001, "x"), _set("message.text", True)),
    ("text a list", lambda: tg.text_update(95001, "x"), _set("message.text", ["a"])),
    ("text an object", lambda: tg.text_update(95001, "x"), _set("message.text", {"a": 1})),
    ("text a lone surrogate", lambda: tg.text_update(95001, "x"), _set("message.text", "a\ud800b")),
    ("text with a NUL", lambda: tg.text_update(95001, "x"), _set("message.text", "a\x00b")),
    ("date 10^20", lambda: tg.text_update(95001, "x"), _set("message.date", 10**20)),
    ("date 10^20 on a photo", lambda: tg.photo_update(95001, "p"), _set("message.date", 10**20)),
    ("no chat", lambda: tg.text_update(95001, "x"), _drop("message.chat")),
    ("photo sizes as strings", lambda: tg.photo_update(95001, "p"), _set("message.photo", ["a", "b"])),
    ("photo width a string", lambda: tg.photo_update(95001, "p"), _set("message.photo.0.width", "90")),
    ("first_name a list", lambda: tg.text_update(95001, "x"), _set("message.from.first_name", ["Lan"])),
    ("callback without from", lambda: tg.callback_update(95001, "/affirm"), _drop("callback_query.from")),
    ("my_chat_member only chat", lambda: tg.blocked_update(95001), lambda u: u.update(
        my_chat_member={"chat": u["my_chat_member"]["chat"]})),
    ("location abc", lambda: tg.location_update(95001, 15.5, 108.4), _set("message.location.longitude", "x")),
    ("location out of range", lambda: tg.location_update(95001, 999, -999), lambda u: None),
    ("location NaN", lambda: tg.location_update(95001, float("nan"), 108.4), lambda u: None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("build", "edit"), [c[1:] for c in BROKEN_TELEGRAM], ids=[c[0] for c in BROKEN_TELEGRAM]
)
def test_a_signed_broken_telegram_update_is_acknowledged_and_ignored(
    gateway_stack: GatewayStack, build: Callable[[], dict[str, Any]], edit: Edit
) -> None:
    update = build()
    edit(update)

    response = _telegram_raw(gateway_stack, json.dumps(update).encode())

    assert response.status_code == 200, response.text
    assert response.json()["ignored"] is True and response.json()["reason"]
    assert _stored(gateway_stack, "telegram", str(update["update_id"])) == []


def test_deeply_nested_json_to_telegram(gateway_stack: GatewayStack) -> None:
    signed = _telegram_raw(gateway_stack, DEEP)
    unsigned = gateway_stack.client.post("/webhooks/telegram", content=DEEP)

    assert signed.status_code == 200 and "nests deeper" in signed.json()["reason"]
    assert unsigned.status_code == 401


def test_a_good_telegram_update_after_the_broken_ones_is_stored_once(gateway_stack: GatewayStack) -> None:
    update = tg.text_update(95002, "đèn đường hỏng")

    answers = [_telegram_raw(gateway_stack, json.dumps(update).encode()).json() for _ in range(2)]

    assert [a["duplicate"] for a in answers] == [False, True]
    assert len(_stored(gateway_stack, "telegram", str(update["update_id"]))) == 1


def _zalo_raw(stack: GatewayStack, body: bytes, timestamp: str) -> Any:
    headers = zw.sign_body(body, timestamp, stack.zalo.app_id, OA_SECRET_KEY)
    return stack.client.post("/webhooks/zalo", content=body, headers=headers)


def _zalo_signed(stack: GatewayStack, event: dict[str, Any]) -> Any:
    """Sign the event as ASCII JSON (a lone surrogate is then an escape, as an attacker sends it)."""
    return _zalo_raw(stack, json.dumps(event).encode(), str(event["timestamp"]))


def _text(user: str = "8901") -> Callable[[str], dict[str, Any]]:
    return lambda app_id: zw.text_event(app_id, user, "rác ở chợ")


def _located(latitude: Any, longitude: Any) -> Callable[[str], dict[str, Any]]:
    def build(app_id: str) -> dict[str, Any]:
        event = zw.location_event(app_id, "8901", 15.5, 108.4)
        event["message"]["attachments"][0]["payload"]["coordinates"] = {
            "latitude": latitude, "longitude": longitude}  # fmt: skip
        return event

    return build


BROKEN_ZALO: list[tuple[str, Callable[[str], dict[str, Any]], Edit, str]] = [
    ("sender.id a lone surrogate", _text(), _set("sender.id", "\ud800"), "surrogate"),
    ("sender.id a list", _text(), _set("sender.id", ["8901"]), "sender.id"),
    ("text with a NUL", _text(), _set("message.text", "a\x00b"), "NUL"),
    ("text a number", _text(), _set("message.text", 5), "text"),
    ("msg_id an object", _text(), _set("message.msg_id", {"a": 1}), "msg_id"),
    ("app_id not ours", _text(), _set("app_id", "1234567890"), "another Zalo app"),
    ("timestamp from 2001", _text(), _set("timestamp", "978307200000"), "from now"),
    ("timestamp in 2100", _text(), _set("timestamp", "4102444800000"), "from now"),
    ("timestamp 10^20", _text(), _set("timestamp", "100000000000000000000"), "timestamp"),
    ("location abc", _located("abc", "108.4"), lambda e: None, "latitude"),
    ("location out of range", _located("999", "-999"), lambda e: None, "out of range"),
    ("location NaN", _located("NaN", "108.4"), lambda e: None, "out of range"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("build", "edit", "reason"), [c[1:] for c in BROKEN_ZALO], ids=[c[0] for c in BROKEN_ZALO]
)
def test_a_signed_broken_zalo_event_is_refused_with_a_reason(
    gateway_stack: GatewayStack, build: Callable[[str], dict[str, Any]], edit: Edit, reason: str
) -> None:
    event = build(gateway_stack.zalo.app_id)
    edit(event)

    response = _zalo_signed(gateway_stack, event)

    assert 400 <= response.status_code < 500 and reason in response.json()["detail"], response.text
    assert _stored(gateway_stack, "zalo", str(event["message"]["msg_id"])) == []


def test_deeply_nested_json_to_zalo_is_refused_signed_or_not(gateway_stack: GatewayStack) -> None:
    now = str(int(time.time() * 1000))
    signed = _zalo_raw(gateway_stack, b'{"timestamp":"' + now.encode() + b'","x":' + DEEP + b"}", now)
    wrong = {"X-ZEvent-Signature": "mac=0"}
    unsigned = gateway_stack.client.post("/webhooks/zalo", content=DEEP, headers=wrong)

    assert signed.status_code == 400 and "nests deeper" in signed.json()["detail"]
    assert unsigned.status_code == 401


def test_the_signature_is_checked_before_the_body_is_parsed(gateway_stack: GatewayStack) -> None:
    now = str(int(time.time() * 1000))
    body = b'{"timestamp":"' + now.encode() + b'", not json'
    wrong = dict(zw.sign_body(body, now, gateway_stack.zalo.app_id, "not-the-key"))

    unsigned = gateway_stack.client.post("/webhooks/zalo", content=body, headers=wrong)
    signed = _zalo_raw(gateway_stack, body, now)

    assert unsigned.status_code == 401 and signed.status_code == 400


def test_a_good_zalo_event_is_stored_once(gateway_stack: GatewayStack) -> None:
    event = zw.text_event(gateway_stack.zalo.app_id, "8902", "đèn đường hỏng")

    answers = [_zalo_signed(gateway_stack, event).json() for _ in range(2)]

    assert [a["duplicate"] for a in answers] == [False, True]
    assert len(_stored(gateway_stack, "zalo", event["message"]["msg_id"])) == 1
