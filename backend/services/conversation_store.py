"""The transactions of the conversation processor (blocking; the processor runs them in worker
threads). Each step of the reply path is one short transaction: take the lease and read the next
message (with what handling it needs), then store Rasa's replies and lease them for sending; the
step that finds the queue empty gives the lease back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from backend.adapters.db import bot_replies_pg, inbound_batch_pg
from backend.adapters.db.delivery_repository import PENDING, SENDING, SqlDeliveryRepository
from backend.adapters.db.engine import SessionFactory
from backend.adapters.db.gateway_models import ConversationMessage, InboundRecord
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.inbound_batch import SqlInboundBatch
from backend.adapters.db.models import OutboxMessage, Ticket, TicketMessage
from backend.adapters.rasa_client import BotReply
from backend.services.delivery import Claimed
from backend.services.inbound import notice_row
from channels import Channel, MessageKind

PROCESSED, HANDED_OFF, SKIPPED, ANSWERED = "processed", "handed_off", "skipped", "answered"
REPLY_GRACE = timedelta(seconds=15)  # the worker takes a reply only if direct delivery did not


@dataclass(frozen=True)
class Pending:
    """The next message of a conversation and what handling it needs to know."""

    record: InboundRecord
    handed_off: bool = False  # an official has the conversation
    offered: list[dict[str, str]] = field(default_factory=list)  # buttons last offered (Zalo)


@dataclass(frozen=True)
class Lease:
    """A conversation's forwarder lease taken with the batch that stored its message, and the
    message to handle first: the drain that adopts it starts without a transaction of its own."""

    owner: str
    pending: Pending


@dataclass(frozen=True)
class StoredReplies:
    """Rasa's replies, stored. ``claimed``: the citizen's whole queue of unsent rows (earlier
    notifications, then these replies), leased for sending now; None when a row of that queue
    is being sent or retried elsewhere (delivery then goes through the claim query)."""

    claimed: list[Claimed] | None
    unreachable: bool


class ConversationStore:
    """One method per transaction of the processor."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime],
                 lease: timedelta, send_lease: timedelta) -> None:  # fmt: skip
        self.session_factory = session_factory
        self.clock = clock
        self.lease = lease
        self.send_lease = send_lease

    def lease_and_next(self, conversation_id: int, owner: str) -> tuple[bool, Pending | None]:
        """Take the forwarder's lease (unless another live process holds it) and read the next
        message, in one transaction; with nothing pending the lease is given back in it too (on
        PostgreSQL one statement in autocommit that leases only where a message is pending: a
        drain that finds the lease held elsewhere, as when its citizen's drain runs in another
        replica, costs one round trip)."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            now = self.clock()
            if session.get_bind().dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                taken, found = inbound_batch_pg.lease(
                    session, [conversation_id], owner, now + self.lease, now, pending_only=True
                )
                if taken and conversation_id not in found:  # handled meanwhile under an expired lease
                    repo.release(conversation_id, owner)
                    return True, None
                return bool(taken), _pending(repo, *found[conversation_id]) if taken else None
            if not repo.acquire(conversation_id, owner, now + self.lease, now):
                return False, None
            pending = self._next_or_release(repo, conversation_id, owner)
            session.commit()
        return True, pending

    def lease_many(self, session: Session, conversation_ids: list[int], now: datetime) -> dict[int, Lease]:
        """Inside the caller's transaction (the inbound batch), take the lease on each of these
        conversations that no live process holds, and read each one's next message."""
        if not conversation_ids:
            return {}
        owner = uuid.uuid4().hex[:16]
        taken, found = SqlInboundBatch(session).lease(conversation_ids, owner, now + self.lease, now)
        repo = SqlConversationRepository(session)
        for conversation_id in set(taken) - set(found):  # nothing pending after all
            repo.release(conversation_id, owner)
        return {cid: Lease(owner, _pending(repo, *found[cid])) for cid in taken if cid in found}

    def next_or_release(self, conversation_id: int, owner: str) -> Pending | None:
        """Extend the lease and read the next message, in one transaction; when nothing is
        pending, give the lease back in that same transaction (a message stored meanwhile by
        another process finds the lease free once this commits, so it is never stranded)."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            now = self.clock()
            repo.acquire(conversation_id, owner, now + self.lease, now)
            pending = self._next_or_release(repo, conversation_id, owner)
            session.commit()
        return pending

    def _next_or_release(
        self, repo: SqlConversationRepository, conversation_id: int, owner: str
    ) -> Pending | None:
        pending = self._next(repo, conversation_id)
        if pending is None:
            repo.release(conversation_id, owner)
        return pending

    def _next(self, repo: SqlConversationRepository, conversation_id: int) -> Pending | None:
        found = repo.next_pending_and_handoff(conversation_id)
        return None if found is None else _pending(repo, *found)

    def release(self, conversation_id: int, owner: str) -> None:
        """Give the lease back (a drain that stops with messages still pending)."""
        with self.session_factory() as session:
            SqlConversationRepository(session).release(conversation_id, owner)
            session.commit()

    def with_pending(self, before: datetime) -> list[int]:
        """Conversations with a message pending since before ``before``."""
        with self.session_factory() as session:
            return list(SqlConversationRepository(session).with_pending(before))

    def store_replies(self, record: InboundRecord, replies: list[BotReply]) -> StoredReplies:
        """Rasa's replies as bot turns and outbox rows, the message settled, and the citizen's
        queue leased for sending at once, all in one transaction (on PostgreSQL one statement)."""
        now = self.clock()
        rows = [_reply_row(record, reply, f"rasa:{record.id}:{i}", now) for i, reply in enumerate(replies)]
        turns = [
            _bot_turn(record, reply, row.idempotency_key, now)
            for reply, row in zip(replies, rows, strict=True)
        ]
        with self.session_factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                return self._store_replies_pg(session, record, rows, turns, now)
            earlier = SqlDeliveryRepository(session).claim_queue(
                record.channel, record.channel_user_id, now, self.send_lease
            )
            if earlier is not None:  # nothing in the way: the replies are leased as they are written
                for row in rows:
                    row.state, row.attempts, row.next_attempt_at = SENDING, 1, now + self.send_lease
            session.add_all([*rows, *turns])
            self.settle(session, record.id, PROCESSED)
            unreachable = SqlConversationRepository(session).answered(record.conversation_id)
            session.flush()
            claimed = None if earlier is None else [Claimed.of(row) for row in [*earlier, *rows]]
            session.commit()
        return StoredReplies(claimed, unreachable)

    def _store_replies_pg(self, session: Session, record: InboundRecord, rows: list[OutboxMessage],
                          turns: list[ConversationMessage], now: datetime) -> StoredReplies:  # fmt: skip
        """One statement, run in autocommit (atomic on its own: no BEGIN and COMMIT round trips)."""
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        until = now + self.send_lease
        outbox, thread = [_values(row) for row in rows], [_values(turn) for turn in turns]
        stored = bot_replies_pg.store_replies(session, record, outbox, thread, PROCESSED, now, until)
        if stored.earlier is None:
            return StoredReplies(None, stored.unreachable)
        earlier = [Claimed(item["id"], item["attempts"], record.channel, record.channel_user_id, item["kind"],
                           item["key"], item["payload"]) for item in stored.earlier]  # fmt: skip
        replies = [Claimed(stored.ids[row.idempotency_key], 1, record.channel, record.channel_user_id,
                           row.kind, row.idempotency_key, dict(row.payload)) for row in rows]  # fmt: skip
        return StoredReplies([*earlier, *replies], stored.unreachable)

    def hand_off(self, record: InboundRecord) -> bool:
        """While an official has the conversation, the message joins the ticket thread instead."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            handoff = repo.handoff(record.channel, record.channel_user_id)
            if handoff is None:
                return False
            ticket = session.get(Ticket, handoff.ticket_id) if handoff.ticket_id else None
            ticket = ticket or repo.latest_open_ticket(record.channel, record.channel_user_id)
            if ticket is not None:
                name = (record.details or {}).get("display_name")
                session.add(TicketMessage(ticket_id=ticket.id, author_kind="citizen",
                                          body=_thread_body(record), author_name=name))  # fmt: skip
            self.settle(session, record.id, HANDED_OFF)
            session.commit()
        return True

    def membership(self, record: InboundRecord) -> None:
        """A citizen who blocked the bot or unfollowed the OA cannot be messaged until they return."""
        with self.session_factory() as session:
            if record.kind == MessageKind.UNFOLLOW.value:
                conversation = SqlConversationRepository(session).get(record.conversation_id)
                conversation.unreachable = True
                conversation.unreachable_reason = "unfollowed or blocked the bot"
            self.settle(session, record.id, SKIPPED)
            session.commit()

    def count_attempt(self, record_id: int, error: str) -> None:
        """Note a failed forwarding attempt; the message stays pending."""
        with self.session_factory() as session:
            stored = SqlConversationRepository(session).inbound_by_id(record_id)
            stored.attempts, stored.last_error = stored.attempts + 1, error[:2000]
            session.commit()

    def count_failure(self, record_id: int, error: str, retry_at: datetime) -> None:
        """Note a failure of the message itself; it stays pending, tried again from ``retry_at``."""
        with self.session_factory() as session:
            SqlConversationRepository(session).note_failure(record_id, error, retry_at)
            session.commit()

    def park(self, record: InboundRecord, reason: str, text_key: str) -> None:
        """Give up on the message (dead, with its reason) and tell the citizen with one of the
        gateway's texts, in one transaction; the queue goes on with the next message."""
        now = self.clock()
        with self.session_factory() as session:
            session.add(notice_row(record.channel, record.channel_user_id, text_key,
                                   f"{text_key}:{record.id}", now))  # fmt: skip
            SqlConversationRepository(session).park(record.id, reason, now)
            session.commit()

    def queue_ack(self, record: InboundRecord) -> bool:
        """Queue the "your message is safe" notice, once per outage; True if queued now."""
        with self.session_factory() as session:
            conversation = SqlConversationRepository(session).get(record.conversation_id)
            if conversation.rasa_ack_sent:
                return False
            conversation.rasa_ack_sent = True
            session.add(notice_row(record.channel, record.channel_user_id, "rasa_pending",
                                   f"ack:{record.id}", self.clock()))  # fmt: skip
            session.commit()
        return True

    def queue_notice(self, record: InboundRecord, text_key: str, state: str) -> None:
        """Answer the message with one of the gateway's own texts and settle it."""
        with self.session_factory() as session:
            session.add(notice_row(record.channel, record.channel_user_id, text_key,
                                   f"{text_key}:{record.id}", self.clock()))  # fmt: skip
            self.settle(session, record.id, state)
            session.commit()

    def save_details(self, record_id: int, details: dict[str, Any]) -> None:
        """Keep fetched media URLs with the message (a retry does not download again)."""
        with self.session_factory() as session:
            SqlConversationRepository(session).inbound_by_id(record_id).details = details
            session.commit()

    def settle(self, session: Session, record_id: int, state: str) -> None:
        """Mark a message handled."""
        SqlConversationRepository(session).settle_inbound(record_id, state, self.clock())


def _pending(repo: SqlConversationRepository, record: InboundRecord, handed_off: bool) -> Pending:
    """The message with what its handling needs (Zalo text: the buttons it may be choosing from)."""
    numbered = record.channel == Channel.ZALO.value and record.kind == MessageKind.TEXT.value
    return Pending(record, handed_off, repo.offered_buttons(record.conversation_id) if numbered else [])


def _thread_body(record: InboundRecord) -> str:
    details = record.details or {}
    parts = [record.text] if not record.text.startswith("/") else []
    parts += list(details.get("media_urls") or details.get("photo_urls") or [])
    if details.get("latitude") is not None:
        parts.append(f"Vị trí: {details['latitude']}, {details['longitude']}")
    return "\n".join(parts) or record.text


def _bot_turn(record: InboundRecord, reply: BotReply, key: str, now: datetime) -> ConversationMessage:
    """The bot's turn in the thread (its outbox key is new: this message is stored once)."""
    return ConversationMessage(conversation_id=record.conversation_id, direction="out", author_kind="bot",
                               text=reply.text, buttons=reply.buttons, image_url=reply.image_url,
                               outbox_key=key, created_at=now)  # fmt: skip


def _values(row: OutboxMessage | ConversationMessage) -> dict[str, Any]:
    """The column values of a new row (for the set-based insert)."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns if column.key != "id"}


def _reply_row(record: InboundRecord, reply: BotReply, key: str, now: datetime) -> OutboxMessage:
    return OutboxMessage(
        ticket_id=None, channel=record.channel, channel_user_id=record.channel_user_id, kind="bot_reply",
        payload=reply.payload(), idempotency_key=key, state=PENDING, attempts=0,
        next_attempt_at=now + REPLY_GRACE, created_at=now,
    )  # fmt: skip
