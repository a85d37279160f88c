"""ZaloChannel against the fake Zalo OA API: sending, uploads, errors and token refresh."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from channels import (
    Button,
    Channel,
    FileTokenStore,
    InMemoryTokenStore,
    OutboundMessage,
    PermanentError,
    RetryLater,
    TokenExpired,
    TokenPair,
    Unreachable,
    ZaloChannel,
)
from tests.fakes import FakeZaloServer
from tests.fakes import zalo_webhooks as zw
from tests.integration.channels.conftest import OA_SECRET_KEY, zalo_config

USER = "2468458835296117922"
JPEG = b"\xff\xd8\xff\xe0" + b"zalo-photo" * 100


def reply(text: str = "Cảm ơn anh/chị đã phản ánh.", **fields: object) -> OutboundMessage:
    return OutboundMessage(Channel.ZALO, USER, text, **fields)  # type: ignore[arg-type]


async def test_send_text(zalo, zalo_server):
    delivered = await zalo.send(reply("Phản ánh PA-2026-000123 đã được tiếp nhận."))
    [sent] = zalo_server.messages_to(USER)
    assert sent.text == "Phản ánh PA-2026-000123 đã được tiếp nhận."
    assert delivered.channel_message_id is not None and delivered.channel_message_id.startswith("zmsg-")


async def test_buttons_become_numbered_choices(zalo, zalo_server):
    buttons = (Button("Hài lòng", '/rate{"score":5}'), Button("Chưa hài lòng", '/rate{"score":2}'))
    await zalo.send(reply("Anh/chị đánh giá thế nào?", buttons=buttons))
    [sent] = zalo_server.messages_to(USER)
    assert "1. Hài lòng\n2. Chưa hài lòng" in sent.text
    assert sent.text.startswith("Anh/chị đánh giá thế nào?")


async def test_image_file_is_uploaded_then_sent_as_media_template(zalo, zalo_server, tmp_path):
    image = tmp_path / "hien-truong.jpg"
    image.write_bytes(JPEG)
    await zalo.send(reply("Kết quả xử lý", image_path=str(image)))
    [(attachment_id, upload)] = zalo_server.uploads.items()
    assert upload.content == JPEG and upload.content_type == "image/jpg"
    [sent] = zalo_server.messages_to(USER)
    assert sent.media == [{"media_type": "image", "attachment_id": attachment_id}]
    assert sent.text == "Kết quả xử lý"


async def test_image_url_is_sent_without_upload(zalo, zalo_server):
    await zalo.send(reply("", image_url="https://ioc.example.vn/media/a.jpg"))
    [sent] = zalo_server.messages_to(USER)
    assert sent.media == [{"media_type": "image", "url": "https://ioc.example.vn/media/a.jpg"}]
    assert zalo_server.uploads == {}


@pytest.mark.parametrize("code", [-216, -220])
async def test_token_error_refreshes_then_retries_once(zalo, zalo_server, token_store, code):
    zalo_server.fail_next(1, code)
    await zalo.send(reply())
    [sent] = zalo_server.messages_to(USER)
    assert sent.access_token == zalo_server.access_token == "access-1"
    assert zalo_server.refreshes == ["refresh-0"]
    stored = await token_store.get()
    assert stored is not None and (stored.access_token, stored.refresh_token) == ("access-1", "refresh-1")


async def test_expired_access_token_is_refreshed_for_uploads_too(zalo, zalo_server, tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(JPEG)
    zalo_server.expire_access_token()
    await zalo.send(reply("Ảnh", image_path=str(image)))
    assert len(zalo_server.uploads) == 1 and len(zalo_server.messages_to(USER)) == 1
    assert zalo_server.refreshes == ["refresh-0"]


async def test_second_refresh_uses_the_new_refresh_token(zalo, zalo_server, token_store):
    zalo_server.expire_access_token()
    await zalo.send(reply())
    zalo_server.expire_access_token()
    await zalo.send(reply())
    assert zalo_server.refreshes == ["refresh-0", "refresh-1"]
    assert zalo_server.reused_refresh_tokens == []


async def test_token_still_rejected_after_refresh_is_token_expired(zalo, zalo_server):
    zalo_server.fail_next(2, -216)
    with pytest.raises(TokenExpired):
        await zalo.send(reply())
    assert zalo_server.refreshes == ["refresh-0"]


async def test_refused_refresh_is_token_expired(zalo_server, media_dir):
    config = zalo_config(zalo_server)
    store = InMemoryTokenStore(TokenPair("access-0", "refresh-unknown"))
    zalo_server.expire_access_token()
    async with ZaloChannel(config, store) as channel:
        with pytest.raises(TokenExpired):
            await channel.send(reply())


async def test_concurrent_sends_refresh_once(zalo, zalo_server):
    zalo_server.refresh_delay = 0.2
    zalo_server.expire_access_token()
    await asyncio.gather(*(zalo.send(reply(f"tin {n}")) for n in range(8)))
    assert zalo_server.refreshes == ["refresh-0"]
    assert len(zalo_server.messages_to(USER)) == 8


async def test_two_processes_sharing_a_token_file_never_reuse_a_refresh_token(zalo_server, tmp_path):
    config = zalo_config(zalo_server)
    path = tmp_path / "zalo-tokens.json"
    zalo_server.refresh_delay = 0.2
    zalo_server.expire_access_token()
    async with (
        ZaloChannel(config, FileTokenStore(path)) as one,
        ZaloChannel(config, FileTokenStore(path)) as two,
    ):
        await asyncio.gather(*(channel.send(reply()) for channel in (one, two, one, two)))
    assert zalo_server.refreshes == ["refresh-0"] and zalo_server.reused_refresh_tokens == []
    stored = await FileTokenStore(path).get()
    assert stored is not None and stored.refresh_token == "refresh-1"


async def test_rate_limit_backs_off(zalo, zalo_server):
    zalo_server.fail_next(1, -32)
    with pytest.raises(RetryLater) as caught:
        await zalo.send(reply())
    assert caught.value.retry_after >= 60
    await zalo.send(reply())
    assert len(zalo_server.messages_to(USER)) == 1


@pytest.mark.parametrize("code", [-230, -232])
async def test_outside_seven_day_window_is_unreachable(zalo, zalo_server, code):
    zalo_server.fail_next(1, code)
    with pytest.raises(Unreachable):
        await zalo.send(reply())
    assert zalo_server.refreshes == []


async def test_invalid_parameters_are_permanent(zalo, zalo_server):
    zalo_server.fail_next(1, -201)
    with pytest.raises(PermanentError):
        await zalo.send(reply())


@pytest.mark.parametrize("status", [502, 503])
async def test_http_errors_are_retried_later(zalo, zalo_server, status):
    zalo_server.fail_next_http(1, status)
    with pytest.raises(RetryLater):
        await zalo.send(reply())


async def test_empty_message_is_permanent(zalo):
    with pytest.raises(PermanentError):
        await zalo.send(reply(""))


async def test_signed_webhook_image_is_downloaded(zalo, zalo_server, media_dir):
    url = zalo_server.add_media("anh-rac.jpg", JPEG)
    body, headers = zw.sign(zw.image_event(zalo_server.app_id, USER, url), zalo_server.app_id, OA_SECRET_KEY)
    message = zalo.parse(body, headers["X-ZEvent-Signature"])
    assert message is not None and message.photo_urls == (url,)
    stored = await zalo.download_photos(message)
    [path] = stored.photo_paths
    assert Path(path).read_bytes() == JPEG and Path(path).parent == media_dir


async def test_file_token_store_round_trip(tmp_path):
    store = FileTokenStore(tmp_path / "state" / "zalo.json")
    assert await store.get() is None
    await store.save(TokenPair("a-1", "r-1"))
    await store.save(TokenPair("a-2", "r-2"))
    stored = await store.get()
    assert stored is not None and (stored.access_token, stored.refresh_token) == ("a-2", "r-2")
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["zalo.json"]


async def test_unreachable_api_is_retry_later():
    with FakeZaloServer() as server:
        config = zalo_config(server)
    async with ZaloChannel(config, InMemoryTokenStore()) as channel:
        with pytest.raises(RetryLater):
            await channel.send(reply())


async def test_long_text_is_split_with_choices_on_the_last_part(zalo, zalo_server):
    await zalo.send(reply("x" * 2500, buttons=(Button("Có", "/affirm"),)))
    first, last = zalo_server.messages_to(USER)
    assert len(first.text) == 2000 and "1. Có" in last.text
