"""E2E harness: the REAL stack (backend, worker, Rasa, action server) as subprocesses on free
ports, on a fresh PostgreSQL database and Redis, with fake Telegram and Zalo APIs.

Needs a trained model in models/ (`make train`). Without it, or without PostgreSQL/Redis, the
journeys skip (and FAIL when CI=true)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from backend.adapters.db.rasa_tracker import rasa_tracker_url
from tests.conftest import isolated_database, unavailable
from tests.e2e.stack import MODELS, RASA, Stack, free_port
from tests.fakes import FakeTelegramServer, FakeZaloServer

WEBHOOK_SECRET = "e2e-Webhook_secret"
OA_SECRET_KEY = "e2e-oa-secret"
SERVICE_TOKEN = f"e2e-{uuid.uuid4().hex}"


@dataclass
class E2E:
    """The running stack and its fake channel APIs."""

    stack: Stack
    telegram: FakeTelegramServer
    zalo: FakeZaloServer
    service_token: str
    database_url: str

    @property
    def url(self) -> str:
        """The backend's base URL."""
        return self.stack.backend_url


def _environment(
    database_url: str,
    redis_url: str,
    media: Path,
    telegram: FakeTelegramServer,
    zalo: FakeZaloServer,
    stack: Stack,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return env | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SERVICE_TOKEN": SERVICE_TOKEN,
        "MEDIA_DIR": str(media), "PUBLIC_BASE_URL": stack.backend_url, "BACKEND_URL": stack.backend_url,
        "BACKEND_PORT": str(stack.backend_port), "RASA_URL": stack.rasa_urls, "RASA_ACK_TIMEOUT": "20",
        "WORKER_POLL_SECONDS": "0.3", "FORWARDER_SWEEP_SECONDS": "2", "LOG_LEVEL": "INFO",
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": telegram.base_url, "ZALO_APP_ID": zalo.app_id,
        "ZALO_APP_SECRET": zalo.app_secret, "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": zalo.access_token, "ZALO_REFRESH_TOKEN": zalo.refresh_token,
        "ZALO_API_BASE_URL": zalo.base_url, "ZALO_OAUTH_BASE_URL": zalo.base_url,
        "ZALO_MEDIA_HOSTS": "http://127.0.0.1",
        "ZALO_TOKEN_FILE": str(media.parent / "zalo_tokens.json"), "PYTHONUNBUFFERED": "1",
        **stack.secrets.env(),
    }  # fmt: skip


@contextmanager
def running_stack(workdir: Path, replicas: int = 1, tracker_store: bool = True) -> Iterator[E2E]:
    """The whole stack on a database of its own, with ``replicas`` Rasa processes behind the gateway
    sharing the SQL tracker store (``tracker_store=False``: each its in-memory one)."""
    if not RASA.exists() or not any(MODELS.glob("*.tar.gz")):
        unavailable("e2e needs .venv-bot and a trained model in models/ (run `make train`)")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        unavailable(f"Redis unreachable: {error}")
    with (
        isolated_database("ioc_e2e") as database_url,
        FakeTelegramServer() as telegram,
        FakeZaloServer() as zalo,
    ):
        stack = Stack(workdir, {}, replica_ports=[free_port() for _ in range(replicas - 1)])
        stack.env = _environment(database_url, redis_url, workdir / "media", telegram, zalo, stack)
        try:
            stack.start_all(redis_url, rasa_tracker_url(database_url) if tracker_store else None)
            stack.wait_ready()
            yield E2E(stack, telegram, zalo, SERVICE_TOKEN, database_url)
        finally:
            stack.stop_all()


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    """Start the whole stack once per session; tear it down at the end."""
    with running_stack(tmp_path_factory.mktemp("e2e")) as stack:
        yield stack
