"""Telegram through the gateway: stored once, forwarded to Rasa, replies delivered back."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from backend.adapters.db.gateway_models import InboundRecord
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200


def test_text_is_forwarded_and_the_reply_delivered(gateway_stack: GatewayStack) -> None:
    response = telegram_post(
        gateway_stack, tg.text_update(71001, "xin chào", first_name="Lan", last_name="Lê")
    )

    assert response.status_code == 200
    assert wait_for(lambda: texts_to(gateway_stack, 71001)) == ["Bot đã nhận: xin chào"]
    call = gateway_stack.rasa.calls_from("telegram:71001")[0]
    assert call.metadata == {"channel": "telegram", "channel_user_id": "71001", "display_name": "Lan Lê",
                             "photo_urls": []}  # fmt: skip


def test_a_repeated_webhook_creates_nothing_twice(gateway_stack: GatewayStack) -> None:
    update = tg.text_update(71002, "đèn đường hỏng")

    first = telegram_post(gateway_stack, update)
    second = telegram_post(gateway_stack, update)
    wait_for(lambda: texts_to(gateway_stack, 71002))
    telegram_post(gateway_stack, update)

    assert first.json() == {"ok": True, "duplicate": False}
    assert second.json() == {"ok": True, "duplicate": True}
    stored = gateway_stack.query(select(func.count()).where(InboundRecord.channel_user_id == "71002"))
    assert stored[0][0] == 1
    assert gateway_stack.rasa.messages_from("telegram:71002") == ["đèn đường hỏng"]
    assert texts_to(gateway_stack, 71002) == ["Bot đã nhận: đèn đường hỏng"]


def test_a_wrong_secret_token_is_rejected(gateway_stack: GatewayStack) -> None:
    wrong = telegram_post(gateway_stack, tg.text_update(71003, "xin chào"), secret="not-the-secret")
    missing = gateway_stack.client.post("/webhooks/telegram", json=tg.text_update(71003, "xin chào"))

    assert wrong.status_code == 401 and "secret" in wrong.json()["detail"]
    assert missing.status_code == 401
    assert gateway_stack.query(select(InboundRecord).where(InboundRecord.channel_user_id == "71003")) == []


def test_a_malformed_update_gets_400(gateway_stack: GatewayStack) -> None:
    response = telegram_post(gateway_stack, {"no_update_id": True})

    assert response.status_code == 400
    assert "update_id" in response.json()["detail"]


def test_photo_and_location_arrive_as_payloads_with_metadata(gateway_stack: GatewayStack) -> None:
    gateway_stack.telegram.add_file("photo-71004", JPEG, "photos/file_71004.jpg")

    telegram_post(gateway_stack, tg.photo_update(71004, "photo-71004"))
    wait_for(lambda: len(texts_to(gateway_stack, 71004)) == 1)
    telegram_post(gateway_stack, tg.location_update(71004, 15.5736, 108.474))
    wait_for(lambda: len(texts_to(gateway_stack, 71004)) == 2)

    photo, location = gateway_stack.rasa.calls_from("telegram:71004")
    assert photo.message == "/send_photo"
    [url] = photo.metadata["photo_urls"]
    assert url.startswith("http://testserver/media/")
    assert (gateway_stack.settings.media_dir / url.rsplit("/", 1)[1]).read_bytes() == JPEG
    assert location.message.startswith("/share_location")
    assert json.loads(location.message.removeprefix("/share_location")) == {
        "latitude": 15.5736,
        "longitude": 108.474,
    }
    assert (location.metadata["latitude"], location.metadata["longitude"]) == (15.5736, 108.474)


def test_buttons_render_as_an_inline_keyboard_and_a_press_goes_to_rasa(gateway_stack: GatewayStack) -> None:
    telegram_post(gateway_stack, tg.text_update(71005, "cho tôi nút"))
    wait_for(lambda: texts_to(gateway_stack, 71005))

    [sent] = gateway_stack.telegram.sent("sendMessage", chat_id=71005)
    assert sent.button_rows == [[("Có", "/affirm")], [("Không", "/deny")]]
    telegram_post(gateway_stack, tg.callback_update(71005, "/affirm"))
    wait_for(lambda: len(texts_to(gateway_stack, 71005)) == 2)
    assert gateway_stack.rasa.messages_from("telegram:71005") == ["cho tôi nút", "/affirm"]
    assert gateway_stack.telegram.sent("answerCallbackQuery")


def test_start_and_unsupported_messages(gateway_stack: GatewayStack) -> None:
    telegram_post(gateway_stack, tg.start_update(71006))
    telegram_post(gateway_stack, tg.sticker_update(71006))
    telegram_post(gateway_stack, tg.edited_update(71006, "sửa"))

    texts = wait_for(lambda: (t := texts_to(gateway_stack, 71006)) and len(t) == 3 and t)
    assert texts[0] == "Bot đã nhận: /greet"
    assert "chỉ hiểu tin nhắn chữ, hình ảnh và vị trí" in texts[1]
    assert "tin nhắn đã sửa" in texts[2]
    assert gateway_stack.rasa.messages_from("telegram:71006") == ["/greet"]
