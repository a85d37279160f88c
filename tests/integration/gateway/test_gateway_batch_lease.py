"""The inbound batch takes each citizen's forwarder lease and reads the next message in the
transaction that stores the message, so the drain starts without a transaction of its own; a
conversation another live drain holds is left to it, and the oldest pending message comes first."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select, text

from backend.adapters.db.base import utcnow
from backend.adapters.db.gateway_models import Conversation, InboundRecord
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.bootstrap import Container, bootstrap
from backend.entrypoints.gateway.wiring import Gateway, build_gateway
from channels import Channel, InboundMessage, MessageKind
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for


@pytest.fixture
def gateway(gateway_stack: GatewayStack) -> Iterator[Gateway]:
    """A second gateway process on the same database (only its inbound service is used)."""
    container = bootstrap(gateway_stack.settings)
    yield build_gateway(container)
    container.engine.dispose()


def _text(user_id: str, text: str) -> InboundMessage:
    return InboundMessage(Channel.TELEGRAM, user_id, uuid.uuid4().hex, MessageKind.TEXT, text)


def _owner(container: Container, conversation_id: int) -> str | None:
    with container.session_factory() as session:
        return session.get_one(Conversation, conversation_id).lease_owner


def _pending_texts(container: Container, conversation_id: int) -> list[str]:
    statement = select(InboundRecord.text).where(
        InboundRecord.conversation_id == conversation_id, InboundRecord.state == "pending"
    )
    with container.session_factory() as session:
        return list(session.scalars(statement.order_by(InboundRecord.id)))


def test_the_first_message_of_each_citizen_in_a_batch_carries_the_lease(gateway: Gateway) -> None:
    lan, minh = str(70_000 + uuid.uuid4().int % 9_999), str(80_000 + uuid.uuid4().int % 9_999)

    first, second, other = gateway.inbound.accept_many(
        [_text(lan, "tin 1"), _text(lan, "tin 2"), _text(minh, "chào")]
    )

    assert first.lease is not None and first.lease.pending.record.text == "tin 1"
    assert second.new and second.lease is None  # the drain started for "tin 1" takes it next
    assert other.lease is not None and other.lease.pending.record.text == "chào"
    assert _owner(gateway.container, first.conversation_id) == first.lease.owner
    assert _owner(gateway.container, other.conversation_id) == other.lease.owner


def test_a_conversation_held_by_a_live_drain_is_left_to_it(gateway: Gateway) -> None:
    user = str(90_000 + uuid.uuid4().int % 9_999)
    conversation_id = gateway.inbound.accept(_text(user, "tin 1")).conversation_id
    with gateway.container.session_factory() as session:  # another process's drain, still alive
        SqlConversationRepository(session).release(
            conversation_id, _owner(gateway.container, conversation_id) or ""
        )
        now = utcnow()
        assert SqlConversationRepository(session).acquire(
            conversation_id, "other", now + timedelta(minutes=1), now
        )
        session.commit()

    accepted = gateway.inbound.accept(_text(user, "tin 2"))

    assert accepted.new and accepted.lease is None
    assert _owner(gateway.container, conversation_id) == "other"
    assert _pending_texts(gateway.container, conversation_id) == ["tin 1", "tin 2"]


def test_the_lease_starts_from_the_oldest_pending_message(gateway: Gateway) -> None:
    user = str(60_000 + uuid.uuid4().int % 9_999)
    stalled = gateway.inbound.accept(_text(user, "tin 1"))  # its drain gave the lease back (Rasa down)
    assert stalled.lease is not None
    with gateway.container.session_factory() as session:
        SqlConversationRepository(session).release(stalled.conversation_id, stalled.lease.owner)
        session.commit()

    accepted = gateway.inbound.accept(_text(user, "tin 2"))

    assert accepted.lease is not None and accepted.lease.pending.record.text == "tin 1"


async def test_a_lease_handed_to_a_running_drain_forwards_nothing_twice(
    gateway: Gateway, gateway_stack: GatewayStack
) -> None:
    user = str(50_000 + uuid.uuid4().int % 9_999)
    first = gateway.inbound.accept(_text(user, "tin 1"))
    assert first.lease is not None
    gateway_stack.rasa.delay = 0.3
    try:
        drain = asyncio.ensure_future(gateway.processor.process(first.conversation_id, first.lease))
        await asyncio.sleep(0.1)  # the drain waits for Rasa with "tin 1"
        with gateway.container.session_factory() as session:  # its lease ran out meanwhile
            SqlConversationRepository(session).release(first.conversation_id, first.lease.owner)
            session.commit()
        second = gateway.inbound.accept(_text(user, "tin 2"))
        assert (
            second.lease is not None and second.lease.pending.record.text == "tin 1"
        )  # in the drain's hands
        await gateway.processor.process(second.conversation_id, second.lease)  # handed to the drain
        await drain
    finally:
        gateway_stack.rasa.delay = 0.0
        await gateway.close()

    assert gateway_stack.rasa.messages_from(f"telegram:{user}") == ["tin 1", "tin 2"]
    assert _pending_texts(gateway.container, first.conversation_id) == []
    assert _owner(gateway.container, first.conversation_id) is None


def test_a_first_message_waits_for_a_conversation_created_meanwhile(gateway_stack: GatewayStack) -> None:
    """Another replica's uncommitted batch is creating the same citizen's conversation: this
    batch's create waits for it, finds it made, and stores the message under that conversation."""
    user_id = "74401"
    with psycopg.connect(_libpq_url(gateway_stack.settings.database_url)) as other:
        (created,) = other.execute(
            "INSERT INTO conversations (channel, channel_user_id, unreachable, rasa_ack_sent,"
            " last_message_at, created_at) VALUES ('telegram', %s, false, false, now(), now()) RETURNING id",
            (user_id,),
        ).fetchone()  # type: ignore[misc]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            answer = pool.submit(telegram_post, gateway_stack, tg.text_update(int(user_id), "chào"))
            wait_for(lambda: _waiting_on_a_lock(gateway_stack))
            other.commit()
            assert answer.result(timeout=10).status_code == 200

    stored = gateway_stack.query(
        select(InboundRecord.conversation_id).where(InboundRecord.channel_user_id == user_id)
    )
    assert [row[0] for row in stored] == [created]
    wait_for(lambda: texts_to(gateway_stack, int(user_id)) == ["Bot đã nhận: chào"])


def _waiting_on_a_lock(stack: GatewayStack) -> bool:
    statement = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return bool(stack.query(statement)[0][0])


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")
