"""Replicas on several hosts share the Zalo OA token pair through PostgreSQL: an expired access
token is refreshed once (Zalo's refresh token is single-use), every replica then uses the new
one, and a restart reads the stored pair. Without PostgreSQL the pair stays in ZALO_TOKEN_FILE."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backend.adapters.notifiers.senders import ChannelSenders
from backend.settings import Settings
from channels import Channel, FileTokenStore, OutboundMessage
from tests.fakes import FakeZaloServer
from tests.polling import wait_until

USER = "8901"


@pytest.fixture
def zalo() -> Iterator[FakeZaloServer]:
    """A fake Zalo for an app of its own (its row in the shared database is its own too)."""
    with FakeZaloServer(app_id=f"43{uuid.uuid4().int % 10**17:017d}") as server:
        yield server


def replica(database_url: str, zalo: FakeZaloServer, token_file: Path) -> Settings:
    """One replica's settings: the Zalo tokens it was deployed with, and the shared database."""
    return Settings(
        database_url=database_url, media_dir=token_file.parent / "media", zalo_app_id=zalo.app_id,
        zalo_app_secret=zalo.app_secret, zalo_oa_secret_key="oa-secret", zalo_access_token="access-0",
        zalo_refresh_token="refresh-0", zalo_api_base_url=zalo.base_url,
        zalo_oauth_base_url=zalo.base_url, zalo_token_file=token_file,
    )  # fmt: skip


def send_from(settings: Settings, text: str) -> None:
    """Start a replica's senders, send one Zalo message, close them (own event loop)."""

    async def run() -> None:
        senders = ChannelSenders.from_settings(settings)
        try:
            await senders.send(OutboundMessage(Channel.ZALO, USER, text))
        finally:
            await senders.close()

    asyncio.run(run())


def tokens_used(zalo: FakeZaloServer) -> dict[str, str]:
    """The access token each accepted message was sent with, by text."""
    return {message.text: message.access_token for message in zalo.messages_to(USER)}


def test_two_hosts_that_see_an_expired_token_refresh_once(
    gateway_database_url: str, zalo: FakeZaloServer, tmp_path: Path
) -> None:
    hosts = [replica(gateway_database_url, zalo, tmp_path / host / "zalo.json") for host in ("a", "b")]
    zalo.expire_access_token()
    zalo.refresh_gate = threading.Event()

    with ThreadPoolExecutor(2) as pool:
        sends = [pool.submit(send_from, settings, f"từ {n}") for n, settings in enumerate(hosts)]
        wait_until(lambda: len(zalo.refused_access_tokens) == 2, 10, "both hosts saw -216")
        zalo.refresh_gate.set()
        for send in sends:
            send.result(timeout=30)

    assert zalo.refreshes == ["refresh-0"] and zalo.reused_refresh_tokens == []
    assert tokens_used(zalo) == {"từ 0": "access-1", "từ 1": "access-1"}

    send_from(replica(gateway_database_url, zalo, tmp_path / "c" / "zalo.json"), "sau khi khởi động lại")

    assert zalo.refreshes == ["refresh-0"]
    assert tokens_used(zalo)["sau khi khởi động lại"] == "access-1"


def test_an_empty_table_is_seeded_from_the_token_file(
    gateway_database_url: str, zalo: FakeZaloServer, tmp_path: Path
) -> None:
    """A deployment moving from ZALO_TOKEN_FILE to PostgreSQL keeps the pair the file holds (the
    one in its settings has been used up)."""
    zalo.expire_access_token()
    send_from(replica("sqlite:///" + str(tmp_path / "ioc.db"), zalo, tmp_path / "zalo.json"), "trên SQLite")
    stored = asyncio.run(FileTokenStore(tmp_path / "zalo.json").get())
    assert stored is not None and (stored.access_token, stored.refresh_token) == ("access-1", "refresh-1")

    send_from(replica(gateway_database_url, zalo, tmp_path / "zalo.json"), "trên PostgreSQL")

    assert zalo.refreshes == ["refresh-0"]
    assert tokens_used(zalo) == {"trên SQLite": "access-1", "trên PostgreSQL": "access-1"}


def test_an_empty_table_without_a_token_file_is_seeded_from_the_settings(
    gateway_database_url: str, zalo: FakeZaloServer, tmp_path: Path
) -> None:
    send_from(replica(gateway_database_url, zalo, tmp_path / "absent.json"), "lần đầu")

    assert zalo.refreshes == [] and tokens_used(zalo) == {"lần đầu": "access-0"}
    assert not (tmp_path / "absent.json").exists()
