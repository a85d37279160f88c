"""A worker process killed (SIGKILL) in the middle of a delivery: the message is delivered once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.adapters.db.models import OutboxMessage
from tests.integration.gateway.conftest import GatewayStack, later, texts_to, wait_for
from tests.integration.gateway.test_gateway_delivery import _queue

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: a send that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def _worker_env(stack: GatewayStack, telegram_url: str) -> dict[str, str]:
    settings = stack.settings
    return os.environ | {
        "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
        "RASA_URL": settings.rasa_url, "MEDIA_DIR": str(settings.media_dir),
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token, "TELEGRAM_API_BASE_URL": telegram_url,
        "WORKER_POLL_SECONDS": "0.1", "FORWARDER_SWEEP_SECONDS": "3600",
    }  # fmt: skip


def _state(stack: GatewayStack, row_id: int) -> str:
    return str(stack.query(select(OutboxMessage.state).where(OutboxMessage.id == row_id))[0][0])


def test_a_killed_worker_leaves_the_message_to_another_one(
    gateway_stack: GatewayStack, black_hole: str
) -> None:
    ids = _queue(gateway_stack, "telegram", "75001", "tin 1", "tin 2")
    worker = subprocess.Popen(
        [sys.executable, "-m", "backend.entrypoints.workers"], cwd=ROOT,
        env=_worker_env(gateway_stack, black_hole), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: _state(gateway_stack, ids[0]) == "sending", timeout=30)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    gateway_stack.worker_pass(sweep=False)  # the lease is still the dead worker's
    assert _state(gateway_stack, ids[0]) == "sending" and texts_to(gateway_stack, 75001) == []
    gateway_stack.worker_pass(now=later(gateway_stack.settings.outbox_lease_seconds + 1), sweep=False)
    gateway_stack.worker_pass(now=later(3600), sweep=False)

    assert [_state(gateway_stack, i) for i in ids] == ["delivered", "delivered"]
    assert texts_to(gateway_stack, 75001) == ["tin 1", "tin 2"]
