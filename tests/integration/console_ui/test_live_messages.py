"""Live citizen messages across replicas: a citizen writes (Telegram webhook) to a conversation an
official has taken over; replica A stores the message in the ticket thread, and the inbox event
stream open on replica B (another container, engine and fan-out, sharing only the database and
REDIS_URL) shows it, woken through Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import redis
from console_ui_kit import file_ticket, in_own_loop, open_stream, session_cookie
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import bootstrap
from backend.domain.access import Principal, Role
from backend.entrypoints.app import create_app
from backend.services.handoff import HandoffService
from backend.settings import Settings
from tests.conftest import unavailable
from tests.fakes import FakeTelegramServer
from tests.fakes.telegram_updates import text_update

WEBHOOK_SECRET = "live-messages-webhook-secret"
DISPATCHER = Principal(0, "ui.live", "Điều phối", Role.DISPATCHER, None)


@pytest.fixture
def replica_a(backend_settings: Settings) -> Iterator[TestClient]:
    """Replica A, running (its gateway forwards what the Telegram webhook stores), with Telegram on."""
    assert backend_settings.redis_url
    try:
        redis.Redis.from_url(backend_settings.redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        unavailable(f"Redis unreachable: {error}")
    with FakeTelegramServer() as telegram:
        settings = backend_settings.model_copy(
            update={
                "telegram_bot_token": telegram.token,
                "telegram_webhook_secret": WEBHOOK_SECRET,
                "telegram_api_base_url": telegram.base_url,
            }
        )
        with TestClient(create_app(settings)) as client:
            yield client


@pytest.fixture
def replica_b(backend_settings: Settings) -> Iterator[FastAPI]:
    """Replica B: consoles' streams look at the database only when woken (their timer is set far
    beyond the test's wait), so what they show came through Redis."""
    container = bootstrap(backend_settings)
    app = create_app(container=container)
    app.state.console_feed.poll_seconds = 300.0
    yield app
    container.engine.dispose()


def test_a_citizen_message_stored_by_one_replica_reaches_the_inbox_stream_of_another(
    replica_a: TestClient, replica_b: FastAPI, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    chat_id = uuid.uuid4().int % 10**9
    contact = {"channel": "telegram", "channel_user_id": str(chat_id)}
    code = file_ticket(replica_a, service_headers, "Cây đổ chắn ngang đường Trần Phú", contact=contact)
    container_a = replica_a.app.state.container  # type: ignore[attr-defined]
    HandoffService(container_a.session_factory, container_a.clock).take_over(DISPATCHER, code)
    question = f"Khi nào đội cây xanh đến xử lý ạ? {uuid.uuid4().hex[:8]}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

    async def citizen_writes() -> None:
        answer = await asyncio.to_thread(
            replica_a.post, "/webhooks/telegram", json=text_update(chat_id, question), headers=headers
        )
        assert answer.status_code == 200, answer.text

    cookie = session_cookie(replica_b, ui_accounts["officer"])  # Tam Kỳ environment: the ticket's

    async def scenario() -> tuple[int, str]:
        try:
            return await open_stream(
                replica_b, "/console/events", cookie, lambda body: question in body, citizen_writes
            )
        finally:
            await replica_b.state.console_feed.close()

    status, body = in_own_loop(scenario)
    assert status == 200
    assert question in body, body
    message = body[body.rindex("event: ", 0, body.index(question)) :]
    assert message.startswith("event: message") and code in message
