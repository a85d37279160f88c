"""Rasa's process stopped (its port refuses connections) or hung (it accepts and never answers)
in the middle of a conversation, then started again on the same port: the citizen's messages are
stored and acknowledged once, and reach Rasa in order, once each, when it is back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import select

from backend.adapters.db.gateway_models import Conversation, InboundRecord
from tests.fakes import telegram_updates as tg
from tests.fakes._http import black_hole
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for
from tests.integration.gateway.fake_rasa import FakeRasaServer
from tests.integration.gateway.test_gateway_rasa_outage import ACK, _states


@contextmanager
def _stopped(rasa: FakeRasaServer) -> Iterator[None]:
    """Rasa's process ends, then starts again on its port."""
    port = rasa.port
    rasa.stop()
    try:
        yield
    finally:
        rasa.start(port)


@contextmanager
def _hung(rasa: FakeRasaServer) -> Iterator[None]:
    """Rasa's process stops answering (its port still accepts), then is restarted on its port."""
    with _stopped(rasa), black_hole(rasa.port):
        yield


def _drains_settled(stack: GatewayStack, user_id: str) -> bool:
    """The first waiting message was tried and no drain holds the conversation any more."""
    [(attempts,)] = stack.query(
        select(InboundRecord.attempts)
        .where(InboundRecord.channel_user_id == user_id, InboundRecord.state == "pending")
        .order_by(InboundRecord.id)
        .limit(1)
    )
    [(owner,)] = stack.query(select(Conversation.lease_owner).where(Conversation.channel_user_id == user_id))
    return attempts > 0 and owner is None


def _outage_mid_conversation(stack: GatewayStack, chat_id: int, outage: AbstractContextManager[None]) -> None:
    user, sender = str(chat_id), f"telegram:{chat_id}"
    telegram_post(stack, tg.text_update(chat_id, "xin chào"))
    wait_for(lambda: texts_to(stack, chat_id) == ["Bot đã nhận: xin chào"])
    with outage:
        answers = [telegram_post(stack, tg.text_update(chat_id, text)) for text in ("một", "hai")]
        assert [answer.status_code for answer in answers] == [200, 200]
        assert _states(stack, user) == ["processed", "pending", "pending"]  # stored before the 200
        wait_for(lambda: _drains_settled(stack, user), timeout=30)
        stack.worker_pass()  # a sweep while Rasa is still away: nothing skipped, no second notice
        texts = texts_to(stack, chat_id)
        assert len(texts) == 2 and texts[1].startswith(ACK)
        assert _states(stack, user) == ["processed", "pending", "pending"]

    stack.worker_pass()

    assert stack.rasa.messages_from(sender) == ["xin chào", "một", "hai"]
    assert texts_to(stack, chat_id)[2:] == ["Bot đã nhận: một", "Bot đã nhận: hai"]
    assert _states(stack, user) == ["processed"] * 3
    telegram_post(stack, tg.text_update(chat_id, "ba"))  # the gateway's own connections recover
    wait_for(lambda: texts_to(stack, chat_id)[4:] == ["Bot đã nhận: ba"])
    assert stack.rasa.messages_from(sender)[3:] == ["ba"]


def test_rasa_stopped_mid_conversation_loses_nothing(gateway_stack: GatewayStack) -> None:
    _outage_mid_conversation(gateway_stack, 72101, _stopped(gateway_stack.rasa))


def test_rasa_hung_mid_conversation_loses_nothing(gateway_stack: GatewayStack) -> None:
    _outage_mid_conversation(gateway_stack, 72102, _hung(gateway_stack.rasa))
