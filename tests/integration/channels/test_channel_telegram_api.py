"""TelegramChannel against the fake Bot API: sending, errors, photos, callbacks, webhook, polling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from channels import (
    Button,
    Channel,
    InboundMessage,
    MessageKind,
    OutboundMessage,
    PermanentError,
    RetryLater,
    TelegramChannel,
    TokenExpired,
    Unreachable,
    register_webhook,
)
from tests.fakes import FakeTelegramServer
from tests.fakes import telegram_updates as tg
from tests.integration.channels.conftest import WEBHOOK_SECRET, telegram_config

CHAT = 700100200
JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100


def reply(text: str = "Cảm ơn anh/chị.", **fields: object) -> OutboundMessage:
    return OutboundMessage(Channel.TELEGRAM, str(CHAT), text, **fields)  # type: ignore[arg-type]


async def test_send_text_with_buttons_as_inline_keyboard(telegram, telegram_server):
    buttons = (Button("Môi trường", '/inform_category{"c":"env"}'), Button("Giao thông", "/traffic"))
    delivered = await telegram.send(reply("Phản ánh thuộc lĩnh vực nào?", buttons=buttons))
    [call] = telegram_server.sent("sendMessage", CHAT)
    assert call.params["text"] == "Phản ánh thuộc lĩnh vực nào?"
    assert call.button_rows == [[("Môi trường", '/inform_category{"c":"env"}')], [("Giao thông", "/traffic")]]
    assert delivered.channel_message_id is not None


async def test_payload_too_long_for_callback_data_falls_back_to_title(telegram, telegram_server):
    long_payload = '/inform{"category": "environment", "area": "Cẩm Châu", "x": 1}'
    await telegram.send(reply("Chọn:", buttons=(Button("Môi trường", long_payload),)))
    [call] = telegram_server.sent("sendMessage")
    assert call.button_rows == [[("Môi trường", "Môi trường")]]


async def test_long_text_is_split_and_buttons_go_on_the_last_part(telegram, telegram_server):
    await telegram.send(reply("a" * 5000, buttons=(Button("Có", "/affirm"),)))
    first, last = telegram_server.sent("sendMessage")
    assert (len(first.params["text"]), len(last.params["text"])) == (4096, 904)
    assert first.json_param("reply_markup") is None and last.button_rows == [[("Có", "/affirm")]]


async def test_send_photo_by_url_with_caption_and_buttons(telegram, telegram_server):
    await telegram.send(
        reply("Ảnh hiện trường", image_url="https://example.org/a.jpg", buttons=(Button("OK", "/ok"),))
    )
    [call] = telegram_server.sent("sendPhoto", CHAT)
    assert call.params["photo"] == "https://example.org/a.jpg"
    assert call.params["caption"] == "Ảnh hiện trường" and call.button_rows == [[("OK", "/ok")]]


async def test_send_photo_from_a_file_uploads_it(telegram, telegram_server, tmp_path):
    image = tmp_path / "ket-qua.jpg"
    image.write_bytes(JPEG)
    await telegram.send(reply("Đã xử lý xong", image_path=str(image)))
    [call] = telegram_server.sent("sendPhoto")
    assert call.files["photo"].content == JPEG


async def test_429_becomes_retry_later_with_telegrams_delay(telegram, telegram_server):
    telegram_server.fail_next(1, 429, retry_after=7)
    with pytest.raises(RetryLater) as caught:
        await telegram.send(reply())
    assert caught.value.retry_after == 7
    await telegram.send(reply())
    assert len(telegram_server.sent("sendMessage")) == 1


async def test_blocked_bot_403_is_unreachable(telegram, telegram_server):
    telegram_server.fail_next(1, 403)
    with pytest.raises(Unreachable):
        await telegram.send(reply())


async def test_chat_not_found_is_unreachable(telegram, telegram_server):
    telegram_server.fail_next(1, 400)
    with pytest.raises(Unreachable):
        await telegram.send(reply())


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_become_retry_later(telegram, telegram_server, status):
    telegram_server.fail_next(1, status)
    with pytest.raises(RetryLater) as caught:
        await telegram.send(reply())
    assert caught.value.retry_after > 0
    assert telegram_server.sent("sendMessage") == []


async def test_unreachable_server_becomes_retry_later(media_dir):
    with FakeTelegramServer() as server:
        config = telegram_config(server)
    channel = TelegramChannel(config, media_dir)
    with pytest.raises(RetryLater):
        await channel.send(reply())


async def test_wrong_token_is_token_expired(telegram_server, media_dir):
    config = telegram_config(telegram_server)
    bad = type(config)(bot_token="999:wrong", webhook_secret=WEBHOOK_SECRET, api_base_url=config.api_base_url)
    with pytest.raises(TokenExpired) as caught:
        await TelegramChannel(bad, media_dir).start()
    assert "999:wrong" not in str(caught.value)


async def test_photo_is_downloaded_largest_size_into_media_dir(telegram, telegram_server, media_dir):
    telegram_server.add_file("AgACAgIAAxk-large", JPEG, "photos/file_7.jpg")
    message = await telegram.receive(tg.photo_update(CHAT, "AgACAgIAAxk-large", caption="rác ở chợ"))
    assert message is not None and message.kind is MessageKind.PHOTO
    [stored] = message.photo_paths
    assert Path(stored).parent == media_dir and Path(stored).read_bytes() == JPEG
    assert Path(stored).suffix == ".jpg"
    [get_file] = telegram_server.sent("getFile")
    assert get_file.params["file_id"] == "AgACAgIAAxk-large"


async def test_same_photo_delivered_twice_is_stored_once(telegram, telegram_server, media_dir):
    telegram_server.add_file("F1", JPEG)
    update = tg.photo_update(CHAT, "F1")
    first = await telegram.receive(update)
    second = await telegram.receive(update)
    assert first == second and len(list(media_dir.iterdir())) == 1


async def test_callback_query_is_answered(telegram, telegram_server):
    message = await telegram.receive(tg.callback_update(CHAT, '/rate{"score":5}', query_id="q-77"))
    assert message is not None and message.callback_data == '/rate{"score":5}'
    [answer] = telegram_server.sent("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "q-77"


async def test_set_webhook_registers_url_and_secret(telegram, telegram_server):
    await telegram.set_webhook("https://ioc.example.vn/webhooks/telegram")
    assert telegram_server.webhook["url"] == "https://ioc.example.vn/webhooks/telegram"
    assert telegram_server.webhook["secret_token"] == WEBHOOK_SECRET


async def test_poll_once_hands_over_each_update_once(telegram, telegram_server):
    received: list[InboundMessage] = []

    async def handle(message: InboundMessage) -> None:
        received.append(message)

    telegram_server.push_update(tg.text_update(CHAT, "xin chào"))
    telegram_server.push_update(tg.location_update(CHAT, 15.5736, 108.474))
    assert await telegram.poll_once(handle) == 2
    assert await telegram.poll_once(handle) == 0
    assert [m.kind for m in received] == [MessageKind.TEXT, MessageKind.LOCATION]


async def test_poll_deletes_the_webhook_and_runs_until_stopped(telegram, telegram_server):
    stop = asyncio.Event()
    received: list[str] = []

    async def handle(message: InboundMessage) -> None:
        received.append(message.text)
        stop.set()

    await telegram.set_webhook("https://ioc.example.vn/webhooks/telegram")
    telegram_server.push_update(tg.text_update(CHAT, "mã PA-2026-000123"))
    await asyncio.wait_for(telegram.poll(handle, stop, timeout=1), timeout=10)
    assert received == ["mã PA-2026-000123"] and telegram_server.webhook == {}


async def test_missing_file_on_download_is_a_permanent_error(telegram):
    with pytest.raises(PermanentError):
        await telegram.receive(tg.photo_update(CHAT, "never-uploaded"))


async def test_register_webhook_helper(telegram_server):
    await register_webhook(telegram_config(telegram_server), "https://ioc.example.vn/webhooks/telegram")
    assert telegram_server.webhook["secret_token"] == WEBHOOK_SECRET
