"""The gateway's statements stay prepared on PostgreSQL while the bots' API and the console read.

psycopg prepares a statement on a connection once it has run five times there, and forgets all
of that connection's prepared statements at each ROLLBACK, which ends every read-only request.
The gateway has a pool of its own, so those reads no longer make it parse and plan its hot
statements afresh for every message."""

from __future__ import annotations

import contextlib

from sqlalchemy import Engine

from tests.conftest import TEST_SERVICE_TOKEN
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
CHAT = 74301
PREPARED = "SELECT count(*) FROM pg_prepared_statements"


def _most_prepared(engine: Engine) -> int:
    """The most statements prepared on one of the pool's idle connections (all taken at once)."""
    idle = engine.pool.checkedin()  # type: ignore[attr-defined]
    with contextlib.ExitStack() as stack:
        connections = [stack.enter_context(engine.connect()) for _ in range(idle)]
        counts = [c.exec_driver_sql(PREPARED).scalar_one() for c in connections]
    return max(counts, default=0)


def test_the_gateway_keeps_its_prepared_statements_between_api_reads(gateway_stack: GatewayStack) -> None:
    state = gateway_stack.client.app.state  # type: ignore[attr-defined]
    engine = state.gateway.engine
    assert engine is not None and engine is not state.container.engine
    for turn in range(10):
        telegram_post(gateway_stack, tg.text_update(CHAT, f"tin nhắn số {turn}"))
        wait_for(lambda: len(texts_to(gateway_stack, CHAT)) == turn + 1)  # noqa: B023 (waited for here)
        read = gateway_stack.client.get(f"/api/v1/citizens/telegram/{CHAT}/tickets", headers=AUTH)
        assert read.status_code == 200, read.text

    assert texts_to(gateway_stack, CHAT)[-1] == "Bot đã nhận: tin nhắn số 9"
    assert _most_prepared(engine) >= 3  # the inbound batch's statements and the reply step, at least
