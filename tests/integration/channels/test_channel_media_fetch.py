"""Photos fetched for an inbound message against the fake Zalo CDN and Bot API: only from allowed
hosts (https unless allowed otherwise), no redirects, images only, at most the size limit; the
error says whether trying again may help (RetryLater) or not (PermanentError)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from channels import (
    Channel,
    InboundMessage,
    InMemoryTokenStore,
    MessageKind,
    PermanentError,
    RetryLater,
    TelegramChannel,
    ZaloChannel,
    ZaloConfig,
)
from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes import telegram_updates as tg
from tests.integration.channels.conftest import telegram_config, zalo_config

USER = "2468458835296117922"
JPEG = b"\xff\xd8\xff\xe0" + b"zalo-photo" * 100


def photo(url: str) -> InboundMessage:
    return InboundMessage(Channel.ZALO, USER, "m-1", MessageKind.PHOTO, photo_urls=(url,))


async def _download(
    server: FakeZaloServer, media_dir: Path, url: str, hosts: tuple[str, ...] = (), max_bytes: int = 10**6
) -> None:
    config = zalo_config(server)
    config = dataclasses.replace(config, media_hosts=hosts) if hosts else config
    async with ZaloChannel(
        config, InMemoryTokenStore(), media_dir=media_dir, max_photo_bytes=max_bytes
    ) as zalo:
        await zalo.download_photos(photo(url))


async def test_an_allowed_image_is_stored(zalo_server, media_dir):
    url = zalo_server.add_media("ok.jpg", JPEG)
    async with ZaloChannel(zalo_config(zalo_server), InMemoryTokenStore(), media_dir=media_dir) as zalo:
        [path] = (await zalo.download_photos(photo(url))).photo_paths
    assert Path(path).read_bytes() == JPEG


@pytest.mark.parametrize(
    ("hosts", "allowed"),
    [
        (("127.0.0.1",), False),  # https only unless the entry says http://
        (("http://10.0.0.1",), False),
        (("http://0.0.1",), False),  # an address matches only itself
        (("http://*.0.0.1", "http://127.0.0.1"), True),
    ],
)
async def test_hosts_and_schemes_follow_the_list(zalo_server, media_dir, hosts, allowed):
    url = zalo_server.add_media("list.jpg", JPEG)
    if allowed:
        await _download(zalo_server, media_dir, url, hosts)
        return
    with pytest.raises(PermanentError, match="not in the media hosts"):
        await _download(zalo_server, media_dir, url, hosts)
    assert zalo_server.media_requests == []


async def test_the_default_list_is_zalos_cdn_only(zalo_server, media_dir):
    url = zalo_server.add_media("default.jpg", JPEG)
    with pytest.raises(PermanentError, match="not in the media hosts"):
        await _download(zalo_server, media_dir, url, ZaloConfig().media_hosts)
    assert ZaloConfig().media_hosts == ("zdn.vn", "zadn.vn", "zalo.me")


async def test_a_redirect_is_not_followed(zalo_server, media_dir):
    zalo_server.add_media("target.jpg", JPEG)
    url = zalo_server.add_redirect("hop.jpg", zalo_server.media_url("target.jpg"))
    with pytest.raises(PermanentError, match="redirect"):
        await _download(zalo_server, media_dir, url)
    assert zalo_server.media_requests == ["hop.jpg"]


async def test_something_else_than_an_image_is_refused(zalo_server, media_dir):
    url = zalo_server.add_media("page.jpg", b"<html>login</html>", "text/html")
    with pytest.raises(PermanentError, match="not an image"):
        await _download(zalo_server, media_dir, url)


async def test_an_image_over_the_limit_is_refused(zalo_server, media_dir):
    url = zalo_server.add_media("big.jpg", JPEG * 10)
    with pytest.raises(PermanentError, match="larger than 2000 bytes"):
        await _download(zalo_server, media_dir, url, max_bytes=2000)
    assert not media_dir.exists() or list(media_dir.iterdir()) == []


async def test_a_missing_image_is_permanent_and_a_failing_cdn_retried_later(zalo_server, media_dir):
    with pytest.raises(PermanentError, match="HTTP 404"):
        await _download(zalo_server, media_dir, zalo_server.media_url("missing.jpg"))
    url = zalo_server.add_media("flaky.jpg", JPEG)
    zalo_server.fail_media(1, 503, "flaky.jpg")
    with pytest.raises(RetryLater, match="HTTP 503"):
        await _download(zalo_server, media_dir, url)
    await _download(zalo_server, media_dir, url)


async def test_a_telegram_photo_over_the_limit_is_refused(telegram_server: FakeTelegramServer, media_dir):
    telegram_server.add_file("big-photo", JPEG * 10, "photos/big.jpg")
    async with TelegramChannel(telegram_config(telegram_server), media_dir, max_photo_bytes=2000) as telegram:
        with pytest.raises(PermanentError, match="larger than 2000 bytes"):
            await telegram.receive(tg.photo_update(700100200, "big-photo"))
