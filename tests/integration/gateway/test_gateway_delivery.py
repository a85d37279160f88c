"""Outbox delivery: retries with backoff, Telegram 429/5xx/403, dead letters, leases, several
workers at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from backend.adapters.db.base import utcnow
from backend.adapters.db.delivery_repository import SqlDeliveryRepository
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.gateway_models import Conversation, DeliveryReceipt
from backend.adapters.db.models import OutboxMessage
from backend.adapters.db.outbox_repository import SqlOutboxRepository
from tests.integration.gateway.conftest import GatewayStack, later, texts_to


def _queue(stack: GatewayStack, channel: str, user_id: str, *texts: str) -> list[int]:
    engine = make_engine(stack.settings.database_url)
    with make_session_factory(engine)() as session:
        rows = [
            SqlOutboxRepository(session).add(
                ticket_id=None,
                channel=channel,
                channel_user_id=user_id,
                kind="official_reply",
                payload={"text": text, "buttons": []},
                idempotency_key=f"test:{user_id}:{text}",
            )  # fmt: skip
            for text in texts
        ]
        session.commit()
        ids = [row.id for row in rows]
    engine.dispose()
    return ids


def _row(stack: GatewayStack, row_id: int) -> OutboxMessage:
    return stack.query(select(OutboxMessage).where(OutboxMessage.id == row_id))[0][0]


def test_flood_control_429_is_retried_after_retry_after(gateway_stack: GatewayStack) -> None:
    [row_id] = _queue(gateway_stack, "telegram", "73001", "Phản ánh đã được tiếp nhận")
    gateway_stack.telegram.fail_next(1, 429, retry_after=30)

    gateway_stack.worker_pass(sweep=False)
    failed = _row(gateway_stack, row_id)
    gateway_stack.worker_pass(now=later(5), sweep=False)  # before retry_after: not due
    gateway_stack.worker_pass(now=later(31), sweep=False)

    assert failed.state == "failed" and failed.next_attempt_at >= utcnow() + timedelta(seconds=25)
    assert _row(gateway_stack, row_id).state == "delivered"
    assert texts_to(gateway_stack, 73001) == ["Phản ánh đã được tiếp nhận"]


def test_server_errors_back_off_and_still_deliver_in_order(gateway_stack: GatewayStack) -> None:
    first, second = _queue(gateway_stack, "telegram", "73002", "thứ nhất", "thứ hai")
    gateway_stack.telegram.fail_next(2, 502)

    gateway_stack.worker_pass(sweep=False)
    gateway_stack.worker_pass(now=later(60), sweep=False)
    gateway_stack.worker_pass(now=later(600), sweep=False)

    assert [_row(gateway_stack, i).state for i in (first, second)] == ["delivered", "delivered"]
    assert texts_to(gateway_stack, 73002) == ["thứ nhất", "thứ hai"]
    assert _row(gateway_stack, first).attempts == 3


def test_retries_end_in_the_dead_letter_state(gateway_stack: GatewayStack) -> None:
    [row_id] = _queue(gateway_stack, "telegram", "73003", "không tới")
    gateway_stack.telegram.fail_next(4, 500)  # as many as the retry limit (4 attempts)

    for minutes in range(0, 300, 60):
        gateway_stack.worker_pass(now=later(minutes * 60), sweep=False)

    dead = _row(gateway_stack, row_id)
    assert dead.state == "dead" and dead.attempts == 4 and "500" in (dead.last_error or "")
    assert texts_to(gateway_stack, 73003) == []


def test_a_blocked_bot_marks_the_citizen_unreachable(gateway_stack: GatewayStack) -> None:
    first, second = _queue(gateway_stack, "telegram", "73004", "một", "hai")
    gateway_stack.telegram.fail_next(1, 403)

    gateway_stack.worker_pass(sweep=False)
    gateway_stack.worker_pass(now=later(3600), sweep=False)

    assert [_row(gateway_stack, i).state for i in (first, second)] == ["undeliverable", "undeliverable"]
    [conversation] = gateway_stack.query(select(Conversation).where(Conversation.channel_user_id == "73004"))
    assert conversation[0].unreachable
    assert len(gateway_stack.telegram.rejected) >= 1 and texts_to(gateway_stack, 73004) == []


def test_a_row_of_a_dead_worker_is_delivered_once_after_its_lease(gateway_stack: GatewayStack) -> None:
    [row_id] = _queue(gateway_stack, "telegram", "73005", "chỉ một lần")
    engine = make_engine(gateway_stack.settings.database_url)
    with make_session_factory(engine)() as session:  # a worker claims the row, then dies
        SqlDeliveryRepository(session).claim(utcnow(), timedelta(minutes=2), ids=[row_id])
        session.commit()
    engine.dispose()

    gateway_stack.worker_pass(sweep=False)  # leased by the dead worker: untouched
    assert _row(gateway_stack, row_id).state == "sending"
    gateway_stack.worker_pass(now=later(121), sweep=False)
    gateway_stack.worker_pass(now=later(3600), sweep=False)

    assert texts_to(gateway_stack, 73005) == ["chỉ một lần"]
    delivered = _row(gateway_stack, row_id)
    assert delivered.state == "delivered" and delivered.attempts == 2
    [receipt] = gateway_stack.query(select(DeliveryReceipt).where(DeliveryReceipt.outbox_id == row_id))
    assert receipt[0].channel_message_id is not None


def test_a_stale_worker_cannot_overwrite_the_new_owner(gateway_stack: GatewayStack) -> None:
    [row_id] = _queue(gateway_stack, "telegram", "73006", "hàng rào")
    engine = make_engine(gateway_stack.settings.database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        [stale] = SqlDeliveryRepository(session).claim(utcnow(), timedelta(seconds=1), ids=[row_id])
        stale_attempt = stale.attempts
        session.commit()
    gateway_stack.worker_pass(now=later(5), sweep=False)
    with factory() as session:
        settled = SqlDeliveryRepository(session).schedule_retry(row_id, stale_attempt, "late", later(60))
        session.commit()
    engine.dispose()

    assert not settled
    assert _row(gateway_stack, row_id).state == "delivered"


def test_a_worker_passes_over_rows_another_worker_is_claiming(gateway_stack: GatewayStack) -> None:
    held = [
        *_queue(gateway_stack, "telegram", "73007", "đang giữ"),
        *_queue(gateway_stack, "telegram", "73008", "cũng giữ"),
    ]
    [free] = _queue(gateway_stack, "telegram", "73009", "không ai giữ")
    engine = make_engine(gateway_stack.settings.database_url)
    claiming = make_session_factory(engine)()  # worker A: its claim is not committed yet
    other_worker = ThreadPoolExecutor(1)
    try:
        assert len(SqlDeliveryRepository(claiming).claim(utcnow(), timedelta(minutes=2), ids=held)) == 2
        worker_b = other_worker.submit(gateway_stack.worker_pass, None, False)
        worker_b.result(timeout=30)  # neither waits for A's locks nor takes A's rows
        assert _row(gateway_stack, free).state == "delivered"
        assert [texts_to(gateway_stack, chat) for chat in (73007, 73008)] == [[], []]
    finally:
        claiming.rollback()  # A dies before committing: its rows are due again
        claiming.close()
        other_worker.shutdown()
        engine.dispose()
    gateway_stack.worker_pass(sweep=False)

    assert [texts_to(gateway_stack, chat) for chat in (73007, 73008, 73009)] == [
        ["đang giữ"],
        ["cũng giữ"],
        ["không ai giữ"],
    ]
