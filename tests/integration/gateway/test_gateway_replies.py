"""Rasa's replies are leased in the transaction that stores them and sent at once, in order;
a reply whose send must be retried holds back the ones after it."""

from __future__ import annotations

from sqlalchemy import func, select, update

from backend.adapters.db.engine import make_engine
from backend.adapters.db.gateway_models import ConversationMessage, DeliveryReceipt
from backend.adapters.db.models import OutboxMessage
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, later, telegram_post, texts_to, wait_for
from tests.integration.gateway.test_gateway_delivery import _queue


def _rows(stack: GatewayStack, user_id: str) -> list[tuple[str, int]]:
    statement = select(OutboxMessage.state, OutboxMessage.attempts).where(
        OutboxMessage.channel_user_id == user_id, OutboxMessage.kind == "bot_reply"
    )
    return [tuple(row) for row in stack.query(statement.order_by(OutboxMessage.id))]


def _count(stack: GatewayStack, statement: object) -> int:
    return int(stack.query(statement)[0][0])


def test_two_replies_go_out_at_once_in_order_each_once(gateway_stack: GatewayStack) -> None:
    telegram_post(gateway_stack, tg.text_update(74101, "cho hai câu"))

    wait_for(lambda: _rows(gateway_stack, "74101") == [("delivered", 1), ("delivered", 1)])
    assert texts_to(gateway_stack, 74101) == ["Bot đã nhận: cho hai câu", "Câu thứ hai"]
    ids = select(OutboxMessage.id).where(OutboxMessage.channel_user_id == "74101")
    assert _count(gateway_stack, select(func.count()).where(DeliveryReceipt.outbox_id.in_(ids))) == 2
    keys = select(OutboxMessage.idempotency_key).where(OutboxMessage.channel_user_id == "74101")
    turns = select(func.count()).where(ConversationMessage.outbox_key.in_(keys))
    assert _count(gateway_stack, turns) == 2
    gateway_stack.worker_pass(now=later(600), sweep=False)
    assert texts_to(gateway_stack, 74101) == ["Bot đã nhận: cho hai câu", "Câu thứ hai"]


def test_a_failed_first_reply_holds_back_the_second(gateway_stack: GatewayStack) -> None:
    gateway_stack.telegram.fail_next(1, 502)
    telegram_post(gateway_stack, tg.text_update(74102, "hai câu nhé"))

    wait_for(lambda: _rows(gateway_stack, "74102") == [("failed", 1), ("pending", 0)])
    assert texts_to(gateway_stack, 74102) == []
    gateway_stack.worker_pass(now=later(600), sweep=False)

    assert _rows(gateway_stack, "74102") == [("delivered", 2), ("delivered", 1)]
    assert texts_to(gateway_stack, 74102) == ["Bot đã nhận: hai câu nhé", "Câu thứ hai"]


def test_a_queued_notification_goes_out_before_the_replies(gateway_stack: GatewayStack) -> None:
    [notice] = _queue(gateway_stack, "telegram", "74103", "Phản ánh đã được tiếp nhận")
    telegram_post(gateway_stack, tg.text_update(74103, "hai câu thôi"))

    wait_for(lambda: _rows(gateway_stack, "74103") == [("delivered", 1), ("delivered", 1)])
    assert texts_to(gateway_stack, 74103) == ["Phản ánh đã được tiếp nhận", "Bot đã nhận: hai câu thôi",
                                              "Câu thứ hai"]  # fmt: skip
    state = select(OutboxMessage.state, OutboxMessage.attempts).where(OutboxMessage.id == notice)
    assert [tuple(row) for row in gateway_stack.query(state)] == [("delivered", 1)]


def test_replies_wait_behind_a_notification_that_waits_for_a_retry(gateway_stack: GatewayStack) -> None:
    [notice] = _queue(gateway_stack, "telegram", "74104", "Phản ánh đang được xử lý")
    engine = make_engine(gateway_stack.settings.database_url)
    with engine.begin() as connection:  # its first send failed: it waits for its retry
        connection.execute(
            update(OutboxMessage).where(OutboxMessage.id == notice).values(state="failed", attempts=1,
                                                                            next_attempt_at=later(60))
        )  # fmt: skip
    engine.dispose()
    telegram_post(gateway_stack, tg.text_update(74104, "hai câu nữa"))

    wait_for(lambda: _rows(gateway_stack, "74104") == [("pending", 0), ("pending", 0)])
    assert texts_to(gateway_stack, 74104) == []
    gateway_stack.worker_pass(now=later(600), sweep=False)
    assert texts_to(gateway_stack, 74104) == ["Phản ánh đang được xử lý", "Bot đã nhận: hai câu nữa",
                                              "Câu thứ hai"]  # fmt: skip
