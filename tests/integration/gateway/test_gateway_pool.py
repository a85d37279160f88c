"""The gateway's statements stay prepared on PostgreSQL while the bots' API and the console read.

psycopg prepares a statement on a connection once it has run five times there, and forgets all
of that connection's prepared statements at each ROLLBACK, which ends every read-only request.
The gateway has a pool of its own, so those reads no longer make it parse and plan its hot
statements afresh for every message."""

from __future__ import annotations

import contextlib

from sqlalchemy import Engine, func, select, text

from backend.adapters.db.engine import make_engine
from backend.adapters.db.gateway_models import InboundRecord
from tests.conftest import TEST_SERVICE_TOKEN
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
CHAT = 74301
CHAT_ELSEWHERE = 74302
PREPARED = "SELECT count(*) FROM pg_prepared_statements"


def _most_prepared(engine: Engine) -> int:
    """The most statements prepared on one of the pool's idle connections (all taken at once)."""
    idle = engine.pool.checkedin()  # type: ignore[attr-defined]
    with contextlib.ExitStack() as stack:
        connections = [stack.enter_context(engine.begin()) for _ in range(idle)]  # COMMIT: keeps them
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


def test_messages_for_a_drain_running_elsewhere_cost_no_rollback(gateway_stack: GatewayStack) -> None:
    """Another replica's drain holds the citizen's lease: each new message here tries to lease in
    one statement and leaves the queue to that drain, without a transaction rolled back (which
    would make psycopg forget the gateway's prepared statements)."""
    state = gateway_stack.client.app.state  # type: ignore[attr-defined]
    telegram_post(gateway_stack, tg.text_update(CHAT_ELSEWHERE, "tin đầu"))
    wait_for(lambda: texts_to(gateway_stack, CHAT_ELSEWHERE) == ["Bot đã nhận: tin đầu"])
    _hold_lease(gateway_stack, minutes=10)
    for turn in range(8):
        telegram_post(gateway_stack, tg.text_update(CHAT_ELSEWHERE, f"tin số {turn}"))
    wait_for(lambda: _pending(gateway_stack) == 8)

    wait_for(lambda: _most_prepared(state.gateway.engine) >= 3)  # the attempts have ended, none rolled back
    assert texts_to(gateway_stack, CHAT_ELSEWHERE) == ["Bot đã nhận: tin đầu"]
    _hold_lease(gateway_stack, minutes=-1)  # that replica died: its lease runs out
    gateway_stack.worker_pass()
    wait_for(lambda: len(texts_to(gateway_stack, CHAT_ELSEWHERE)) == 9)
    assert texts_to(gateway_stack, CHAT_ELSEWHERE)[1:] == [f"Bot đã nhận: tin số {n}" for n in range(8)]


def _hold_lease(stack: GatewayStack, minutes: int) -> None:
    engine = make_engine(stack.settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE conversations SET lease_owner = 'elsewhere',"
                     " lease_until = now() + make_interval(mins => :minutes)"
                     " WHERE channel = 'telegram' AND channel_user_id = :user"),
                {"minutes": minutes, "user": str(CHAT_ELSEWHERE)},
            )  # fmt: skip
    finally:
        engine.dispose()


def _pending(stack: GatewayStack) -> int:
    statement = select(func.count()).where(
        InboundRecord.channel_user_id == str(CHAT_ELSEWHERE), InboundRecord.state == "pending"
    )
    return int(stack.query(statement)[0][0])
