"""Telegram through the gateway: stored once, forwarded to Rasa, replies delivered back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from sqlalchemy import func, select

from backend.adapters.db.gateway_models import Conversation, InboundRecord
from backend.entrypoints import telegram_cli
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


def test_a_malformed_update_is_acknowledged_and_ignored(gateway_stack: GatewayStack) -> None:
    response = telegram_post(gateway_stack, {"no_update_id": True})

    assert response.status_code == 200  # Telegram would redeliver a 4xx again and again
    assert response.json()["ignored"] is True and "update_id" in response.json()["reason"]


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


def test_blocking_the_bot_makes_the_citizen_unreachable_until_they_return(
    gateway_stack: GatewayStack,
) -> None:
    telegram_post(gateway_stack, tg.blocked_update(71007))
    wait_for(lambda: _unreachable(gateway_stack, "71007"))
    telegram_post(gateway_stack, tg.blocked_update(71007, blocked=False))

    wait_for(lambda: not _unreachable(gateway_stack, "71007"))
    assert gateway_stack.rasa.messages_from("telegram:71007") == []


def _unreachable(stack: GatewayStack, user_id: str) -> bool:
    rows = stack.query(select(Conversation.unreachable).where(Conversation.channel_user_id == user_id))
    return bool(rows and rows[0][0])


def test_cli_registers_the_webhook_with_the_secret(gateway_stack: GatewayStack) -> None:
    settings = gateway_stack.settings.model_copy(update={"public_base_url": "https://ioc.example.vn"})

    telegram_cli.set_webhook(settings)

    assert gateway_stack.telegram.webhook["url"] == "https://ioc.example.vn/webhooks/telegram"
    assert gateway_stack.telegram.webhook["secret_token"] == settings.telegram_webhook_secret


def test_polling_feeds_the_same_pipeline(gateway_stack: GatewayStack) -> None:
    settings, api = gateway_stack.settings, gateway_stack.telegram
    env = os.environ | {
        "DATABASE_URL": settings.database_url, "RASA_URL": settings.rasa_url, "REDIS_URL": "",
        "RASA_GATEWAY_TOKEN": settings.rasa_gateway_token,
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
        "MEDIA_DIR": str(settings.media_dir),
    }  # fmt: skip
    poller = subprocess.Popen([sys.executable, "-m", "backend.entrypoints.cli", "telegram-poll"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        gateway_stack.telegram.push_update(tg.text_update(71008, "qua polling"))
        assert wait_for(lambda: texts_to(gateway_stack, 71008), timeout=30) == ["Bot đã nhận: qua polling"]
    finally:
        poller.send_signal(signal.SIGTERM)
        poller.wait(timeout=20)
    assert gateway_stack.rasa.messages_from("telegram:71008") == ["qua polling"]
