"""A burst of concurrent webhooks (stored together by group commit): each message stored once,
each retry told it is a duplicate, every citizen's messages forwarded once, in stored order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from backend.adapters.db.gateway_models import ConversationMessage, InboundRecord
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import (
    GatewayStack,
    fresh_rate_window,
    telegram_post,
    texts_to,
    wait_for,
)

CHATS = (79101, 79102, 79103)
PER_CHAT = 4


def _burst(stack: GatewayStack, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=len(updates)) as pool:
        responses = list(pool.map(lambda update: telegram_post(stack, update), updates))
    assert all(response.status_code == 200 for response in responses)
    return [response.json() for response in responses]


def test_a_concurrent_burst_with_retries_stores_each_message_once(gateway_stack: GatewayStack) -> None:
    fresh_rate_window()
    updates = [tg.text_update(chat, f"tin {n} của {chat}") for n in range(PER_CHAT) for chat in CHATS]

    answers = _burst(gateway_stack, updates + updates)  # every update twice, all at once

    for index in range(len(updates)):
        pair = {answers[index]["duplicate"], answers[index + len(updates)]["duplicate"]}
        assert pair == {False, True}
    chats = [str(chat) for chat in CHATS]
    stored = gateway_stack.query(select(func.count()).where(InboundRecord.channel_user_id.in_(chats)))
    assert stored[0][0] == len(updates)
    turns = gateway_stack.query(
        select(func.count()).where(
            ConversationMessage.inbound_id.is_not(None), ConversationMessage.text.like("tin %")
        )  # fmt: skip
    )
    assert turns[0][0] >= len(updates)
    for chat in CHATS:
        sender = f"telegram:{chat}"
        wait_for(lambda s=sender: len(gateway_stack.rasa.messages_from(s)) == PER_CHAT)
        in_order = select(InboundRecord.text).where(InboundRecord.channel_user_id == str(chat))
        stored_order = [row[0] for row in gateway_stack.query(in_order.order_by(InboundRecord.id))]
        assert gateway_stack.rasa.messages_from(sender) == stored_order
        wait_for(lambda c=chat: len(texts_to(gateway_stack, c)) == PER_CHAT)  # nothing left in flight
