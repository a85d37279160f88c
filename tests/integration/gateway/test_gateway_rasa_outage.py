"""Rasa down or slow: the citizen is told once, nothing is lost, order is kept per citizen."""

from __future__ import annotations

from sqlalchemy import select

from backend.adapters.db.gateway_models import InboundRecord
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for

ACK = "Đã nhận tin nhắn, hệ thống sẽ trả lời ngay khi có thể."


def _states(stack: GatewayStack, user_id: str) -> list[str]:
    rows = stack.query(
        select(InboundRecord.state).where(InboundRecord.channel_user_id == user_id).order_by(InboundRecord.id)
    )
    return [row[0] for row in rows]


def test_rasa_down_acknowledges_once_and_processes_in_order_when_back(gateway_stack: GatewayStack) -> None:
    gateway_stack.rasa.down = True
    try:
        for text in ("một", "hai", "ba"):
            telegram_post(gateway_stack, tg.text_update(72001, text))
        wait_for(lambda: texts_to(gateway_stack, 72001))
        wait_for(lambda: _states(gateway_stack, "72001") == ["pending"] * 3)
        gateway_stack.worker_pass()  # still down: nothing is skipped, no second acknowledgement
        assert [text.startswith(ACK) for text in texts_to(gateway_stack, 72001)] == [True]
    finally:
        gateway_stack.rasa.down = False

    gateway_stack.worker_pass()

    assert gateway_stack.rasa.messages_from("telegram:72001") == ["một", "hai", "ba"]
    assert texts_to(gateway_stack, 72001)[1:] == ["Bot đã nhận: một", "Bot đã nhận: hai", "Bot đã nhận: ba"]
    assert _states(gateway_stack, "72001") == ["processed"] * 3


def test_a_new_outage_is_acknowledged_again(gateway_stack: GatewayStack) -> None:
    for attempt in range(2):
        gateway_stack.rasa.down = True
        telegram_post(gateway_stack, tg.text_update(72002, f"lần {attempt}"))
        expected = 2 * attempt + 1
        wait_for(lambda: len(texts_to(gateway_stack, 72002)) == expected)  # noqa: B023
        gateway_stack.rasa.down = False
        gateway_stack.worker_pass()

    texts = texts_to(gateway_stack, 72002)
    assert [t.startswith(ACK) for t in texts] == [True, False, True, False]


def test_a_slow_rasa_gets_an_acknowledgement_then_the_answer(gateway_stack: GatewayStack) -> None:
    gateway_stack.rasa.delay = 1.5  # longer than the 0.5 s acknowledgement timeout
    try:
        telegram_post(gateway_stack, tg.text_update(72003, "chậm"))
        texts = wait_for(lambda: (t := texts_to(gateway_stack, 72003)) and len(t) == 2 and t)
    finally:
        gateway_stack.rasa.delay = 0.0

    assert texts[0].startswith(ACK)
    assert texts[1] == "Bot đã nhận: chậm"
    assert gateway_stack.rasa.messages_from("telegram:72003") == ["chậm"]
