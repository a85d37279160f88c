"""The gateway on the session's PostgreSQL database and Redis, with fake Telegram, Zalo and
Rasa servers; tests drive it through its HTTP and WebSocket interfaces and the worker."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from backend.adapters.db.base import utcnow
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.bootstrap import bootstrap
from backend.entrypoints.app import create_app
from backend.entrypoints.gateway.wiring import build_gateway
from backend.settings import Settings
from tests.conftest import TEST_SERVICE_TOKEN, isolated_database, unavailable
from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.integration.gateway.fake_rasa import FakeRasaServer
from tests.polling import wait_until

WEBHOOK_SECRET = "gw-Webhook_secret"
OA_SECRET_KEY = "gw-oa-secret"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class GatewayStack:
    """The app under test, its fakes and a way to run worker passes."""

    settings: Settings
    client: TestClient
    telegram: FakeTelegramServer
    zalo: FakeZaloServer
    rasa: FakeRasaServer

    def query(self, statement: Any) -> list[Any]:
        """Run a SELECT on the test database."""
        engine = make_engine(self.settings.database_url)
        try:
            with make_session_factory(engine)() as session:
                return list(session.execute(statement).all())
        finally:
            engine.dispose()

    def worker_pass(self, now: datetime | None = None, sweep: bool = True) -> int:
        """One pass of the worker (forwarder sweep, then delivery) at time ``now``."""
        clock: Callable[[], datetime] = (lambda: now) if now else utcnow
        return asyncio.run(_worker_pass(self.settings, clock, sweep))


async def _worker_pass(settings: Settings, clock: Callable[[], datetime], sweep: bool) -> int:
    container = bootstrap(settings, clock=clock)
    gateway = build_gateway(container)
    try:
        if sweep:
            await gateway.processor.sweep(older_than=timedelta(0))
        delivered = 0
        while claimed := await gateway.delivery.run_once():
            delivered += claimed
        return delivered
    finally:
        await gateway.close()
        container.engine.dispose()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until ``predicate`` returns something truthy (fails the test after ``timeout``)."""
    return wait_until(predicate, timeout, "condition not met in time", pause=0.05)


def fresh_rate_window() -> None:
    """Rate limits count per clock minute: start a burst well inside one."""
    into_minute = time.time() % 60
    if into_minute > 50:
        time.sleep(60.5 - into_minute)


def later(seconds: float) -> datetime:
    """A time in the future, for worker passes that must see backed-off rows as due."""
    return utcnow() + timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """REDIS_URL, checked to answer."""
    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        unavailable(f"Redis unreachable: {error}")
    return url


@pytest.fixture(scope="session")
def gateway_database_url() -> Iterator[str]:
    """The gateway suite's own database."""
    with isolated_database("ioc_gateway") as url:
        yield url


@pytest.fixture(scope="session")
def gateway_stack(
    gateway_database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayStack]:
    """The backend app with the gateway, on fakes of Telegram, Zalo and Rasa."""
    with FakeTelegramServer() as telegram, FakeZaloServer() as zalo, FakeRasaServer() as rasa:
        settings = _settings(
            gateway_database_url, redis_url, tmp_path_factory.mktemp("gw-media"), telegram, zalo, rasa
        )
        with TestClient(create_app(settings)) as client:
            yield GatewayStack(settings, client, telegram, zalo, rasa)


def _settings(
    database_url: str, redis_url: str, media: Path, telegram: FakeTelegramServer,
    zalo: FakeZaloServer, rasa: FakeRasaServer,
) -> Settings:  # fmt: skip
    return Settings(
        database_url=database_url, redis_url=redis_url, service_token=TEST_SERVICE_TOKEN,
        media_dir=media, public_base_url="http://testserver", rasa_url=rasa.base_url,
        rasa_gateway_token=rasa.token, rasa_ack_timeout=0.5, rasa_timeout=5.0, rate_limit_per_minute=20,
        outbox_backoff_base=1.0, outbox_max_attempts=4, zalo_token_file=media / "zalo_tokens.json",
        telegram_bot_token=telegram.token, telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_base_url=telegram.base_url, zalo_app_id=zalo.app_id, zalo_app_secret=zalo.app_secret,
        zalo_oa_secret_key=OA_SECRET_KEY, zalo_access_token=zalo.access_token,
        zalo_refresh_token=zalo.refresh_token, zalo_api_base_url=zalo.base_url,
        zalo_oauth_base_url=zalo.base_url, zalo_media_hosts="http://127.0.0.1", inbound_max_attempts=3,
    )  # fmt: skip


def telegram_post(stack: GatewayStack, update: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    """POST an Update to the Telegram webhook."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    return stack.client.post("/webhooks/telegram", json=update, headers=headers)


def texts_to(stack: GatewayStack, chat_id: int) -> list[str]:
    """Texts the fake Telegram delivered to a chat, in order."""
    return [
        call.params.get("text") or call.params.get("caption") or ""
        for call in stack.telegram.sent(chat_id=chat_id)
    ]
