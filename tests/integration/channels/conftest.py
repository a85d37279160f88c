"""Fake Telegram and Zalo servers, and adapters pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from channels import InMemoryTokenStore, TelegramChannel, TelegramConfig, ZaloChannel, ZaloConfig
from tests.fakes import FakeTelegramServer, FakeZaloServer

WEBHOOK_SECRET = "s3cret-Webhook_token"
OA_SECRET_KEY = "oa-secret-key"


@pytest.fixture
def telegram_server() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server


@pytest.fixture
def zalo_server() -> Iterator[FakeZaloServer]:
    with FakeZaloServer() as server:
        yield server


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


def telegram_config(server: FakeTelegramServer) -> TelegramConfig:
    return TelegramConfig(bot_token=server.token, webhook_secret=WEBHOOK_SECRET, api_base_url=server.base_url)


def zalo_config(server: FakeZaloServer) -> ZaloConfig:
    return ZaloConfig(
        app_id=server.app_id,
        app_secret=server.app_secret,
        oa_secret_key=OA_SECRET_KEY,
        access_token=server.access_token,
        refresh_token=server.refresh_token,
        api_base_url=server.base_url,
        oauth_base_url=server.base_url,
        media_hosts=("http://127.0.0.1",),  # the fake serves its "CDN" over plain http
    )


@pytest.fixture
async def telegram(telegram_server: FakeTelegramServer, media_dir: Path) -> AsyncIterator[TelegramChannel]:
    async with TelegramChannel(telegram_config(telegram_server), media_dir) as channel:
        yield channel


@pytest.fixture
def token_store() -> InMemoryTokenStore:
    return InMemoryTokenStore()


@pytest.fixture
async def zalo(
    zalo_server: FakeZaloServer, token_store: InMemoryTokenStore, media_dir: Path
) -> AsyncIterator[ZaloChannel]:
    async with ZaloChannel(zalo_config(zalo_server), token_store, media_dir=media_dir) as channel:
        yield channel
