"""Telegram webhook: secret token check and parsing every update type."""

from __future__ import annotations

from typing import Any

import pytest

from channels import Channel, InvalidSignature, MalformedPayload, MessageKind
from channels._telegram_parse import callback_data_for
from channels.telegram import parse_update, verify_secret_token
from tests.fakes import telegram_updates as tg

CHAT = 700100200


def test_secret_token_matches():
    verify_secret_token("s3cret", "s3cret")


@pytest.mark.parametrize("received", ["wrong", "", None, "s3cret "])
def test_secret_token_mismatch_is_rejected(received):
    with pytest.raises(InvalidSignature):
        verify_secret_token("s3cret", received)


def test_unset_secret_rejects_everything():
    with pytest.raises(InvalidSignature):
        verify_secret_token("", "")


def test_text_message():
    update = tg.text_update(CHAT, "Đèn đường hỏng ở Phan Châu Trinh", first_name="Lan", last_name="Nguyễn")
    message = parse_update(update)
    assert message is not None
    assert (message.channel, message.kind) == (Channel.TELEGRAM, MessageKind.TEXT)
    assert message.channel_user_id == str(CHAT) and message.sender_id == f"telegram:{CHAT}"
    assert message.message_id == str(update["update_id"])
    assert message.text == "Đèn đường hỏng ở Phan Châu Trinh"
    assert message.display_name == "Lan Nguyễn"
    assert message.received_at.tzinfo is not None


@pytest.mark.parametrize("payload", ["", "web-qr"])
def test_start_command(payload):
    message = parse_update(tg.start_update(CHAT, payload=payload))
    assert message is not None and message.kind is MessageKind.START


def test_photo_takes_the_largest_size_and_caption():
    message = parse_update(tg.photo_update(CHAT, "AgAC-large", caption="rác ở chợ Tam Kỳ"))
    assert message is not None and message.kind is MessageKind.PHOTO
    assert message.photo_refs == ("AgAC-large",) and message.text == "rác ở chợ Tam Kỳ"
    assert message.photo_paths == ()


def test_image_sent_as_file_is_a_photo():
    message = parse_update(tg.image_document_update(CHAT, "BQAC-doc"))
    assert message is not None and message.kind is MessageKind.PHOTO
    assert message.photo_refs == ("BQAC-doc",)


def test_location():
    message = parse_update(tg.location_update(CHAT, 15.8801, 108.3380))
    assert message is not None and message.kind is MessageKind.LOCATION
    assert (message.latitude, message.longitude) == (15.8801, 108.3380) and message.has_location


def test_callback_query():
    message = parse_update(tg.callback_update(CHAT, '/rate{"score":4}', query_id="cb-1"))
    assert message is not None and message.kind is MessageKind.CALLBACK
    assert message.callback_data == message.text == '/rate{"score":4}'
    assert message.callback_id == "cb-1" and message.channel_user_id == str(CHAT)


def test_edited_message():
    message = parse_update(tg.edited_update(CHAT, "sửa lại: đường Hùng Vương"))
    assert message is not None and message.kind is MessageKind.EDITED
    assert message.text == "sửa lại: đường Hùng Vương"


def test_sticker_is_unsupported():
    message = parse_update(tg.sticker_update(CHAT))
    assert message is not None and message.kind is MessageKind.UNSUPPORTED


@pytest.mark.parametrize(("blocked", "kind"), [(True, MessageKind.UNFOLLOW), (False, MessageKind.FOLLOW)])
def test_blocking_and_unblocking_the_bot(blocked, kind):
    message = parse_update(tg.blocked_update(CHAT, blocked=blocked))
    assert message is not None and message.kind is kind


def test_channel_posts_are_ignored():
    assert parse_update(tg.channel_post_update(-1001234, "tin")) is None


@pytest.mark.parametrize(
    "data", [{}, {"update_id": "x"}, {"update_id": 1, "message": {"text": "no chat"}}, []]
)
def test_malformed_updates_are_rejected(data):
    with pytest.raises(MalformedPayload):
        parse_update(data)


def test_callback_data_keeps_short_payloads_and_falls_back_to_title():
    assert callback_data_for("Có", "/affirm") == "/affirm"
    long_title = "Môi trường " * 10
    data = callback_data_for(long_title, "/x" * 40)
    assert len(data.encode()) <= 64 and long_title.startswith(data)


@pytest.mark.parametrize(
    "update",
    [
        tg.text_update(42, "xin chào"),
        tg.text_update(42, "đèn đường hỏng ở Tam Kỳ", first_name="Lan", last_name="Lê"),
        tg.text_update(42, "/start"),
        tg.text_update(42, "/start@ioc_bot hello"),
        tg.text_update(-1001, "  "),
    ],
)
def test_plain_text_updates_parse_as_python_telegram_bot_parses_them(update: dict[str, Any]) -> None:
    through_ptb = {**update, "x_unknown_field": None}  # another shape: goes through python-telegram-bot

    assert parse_update(update) == parse_update(through_ptb)


def test_a_text_update_of_unexpected_shape_still_gets_400() -> None:
    update = tg.text_update(42, "xin chào")
    broken = {"update_id": update["update_id"], "message": {**update["message"], "chat": "42"}}

    with pytest.raises(MalformedPayload):
        parse_update(broken)
