"""A worker process killed (SIGKILL) in the middle of a delivery: the message is never lost, and
sent twice only when the kill falls after the channel API accepted it (docs/ARCHITECTURE.md,
"Delivery protocol")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.adapters.db.models import OutboxMessage
from tests.fakes import FakeTelegramServer
from tests.fakes._http import black_hole
from tests.integration.gateway.conftest import GatewayStack, later, texts_to, wait_for
from tests.integration.gateway.test_gateway_delivery import _queue

ROOT = Path(__file__).resolve().parents[3]


def _worker_env(stack: GatewayStack, telegram_url: str) -> dict[str, str]:
    settings = stack.settings
    return os.environ | {
        "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
        "RASA_URL": settings.rasa_url, "RASA_GATEWAY_TOKEN": settings.rasa_gateway_token,
        "MEDIA_DIR": str(settings.media_dir),
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token, "TELEGRAM_API_BASE_URL": telegram_url,
        "WORKER_POLL_SECONDS": "0.1", "FORWARDER_SWEEP_SECONDS": "3600",
    }  # fmt: skip


def _state(stack: GatewayStack, row_id: int) -> str:
    return str(stack.query(select(OutboxMessage.state).where(OutboxMessage.id == row_id))[0][0])


def _kill_a_worker_when(stack: GatewayStack, telegram_url: str, ready: Callable[[], Any]) -> None:
    """Start a worker process sending to ``telegram_url``; SIGKILL it once ``ready()`` holds."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "backend.entrypoints.workers"], cwd=ROOT,
        env=_worker_env(stack, telegram_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(ready, timeout=30)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)


def _another_worker_takes_over(stack: GatewayStack, row_id: int, chat_id: int) -> None:
    """Worker passes: nothing while the dead worker's lease lasts, then everything, in order."""
    stack.worker_pass(sweep=False)
    assert _state(stack, row_id) == "sending" and texts_to(stack, chat_id) == []
    stack.worker_pass(now=later(stack.settings.outbox_lease_seconds + 1), sweep=False)
    stack.worker_pass(now=later(3600), sweep=False)


def test_a_killed_worker_leaves_the_message_to_another_one(gateway_stack: GatewayStack) -> None:
    ids = _queue(gateway_stack, "telegram", "75001", "tin 1", "tin 2")
    with black_hole() as hung_api:  # the send hangs before the API has the message
        _kill_a_worker_when(gateway_stack, hung_api, lambda: _state(gateway_stack, ids[0]) == "sending")

    _another_worker_takes_over(gateway_stack, ids[0], 75001)

    assert [_state(gateway_stack, i) for i in ids] == ["delivered", "delivered"]
    assert texts_to(gateway_stack, 75001) == ["tin 1", "tin 2"]


def test_a_worker_killed_after_the_api_accepted_the_message_sends_it_once_more(
    gateway_stack: GatewayStack,
) -> None:
    ids = _queue(gateway_stack, "telegram", "75002", "tin 1", "tin 2")
    with FakeTelegramServer() as accepting:
        accepting.answering.clear()  # the message is taken, the worker never hears back
        try:
            _kill_a_worker_when(gateway_stack, accepting.base_url, lambda: accepting.sent(chat_id=75002))
        finally:
            accepting.answering.set()
        first_sends = [call.params["text"] for call in accepting.sent(chat_id=75002)]

    _another_worker_takes_over(gateway_stack, ids[0], 75002)

    assert [_state(gateway_stack, i) for i in ids] == ["delivered", "delivered"]
    assert first_sends == ["tin 1"]  # shown to the citizen, but not recorded: the window
    assert texts_to(gateway_stack, 75002) == ["tin 1", "tin 2"]  # never lost; tin 1 twice, not more
