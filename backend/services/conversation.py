"""Process a citizen's inbound queue: strictly in order, one process at a time per citizen.

Each pending message goes to the ticket thread (while an official has taken the conversation
over) or to Rasa; Rasa's replies become bot turns and outbox rows. When Rasa is down or slow the
citizen is told once, and the message stays pending (never skipped) until Rasa answers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.delivery_repository import PENDING
from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.models import OutboxMessage, Ticket, TicketMessage
from backend.adapters.media_store import LocalMediaStore
from backend.adapters.notifiers.senders import ChannelSenders
from backend.adapters.rasa_client import BotReply, RasaClient, RasaUnavailable
from backend.services.delivery import DeliveryService
from backend.services.inbound import notice_row
from backend.services.inbound_media import InboundMedia
from channels import Button, Channel, ChannelError, MessageKind, resolve_choice
from channels._media import mask_id

logger = logging.getLogger(__name__)
PROCESSED, HANDED_OFF, SKIPPED, ANSWERED = "processed", "handed_off", "skipped", "answered"
NOTICE_KINDS = {MessageKind.EDITED.value: "edited", MessageKind.UNSUPPORTED.value: "unsupported"}
REPLY_GRACE = timedelta(seconds=15)  # the worker takes a reply only if direct delivery did not
T = TypeVar("T")


class ConversationProcessor:
    """Forwards pending inbound messages, one citizen at a time, oldest first."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        rasa: RasaClient,
        delivery: DeliveryService,
        senders: ChannelSenders,
        media: LocalMediaStore,
        clock: Callable[[], datetime],
        ack_timeout: float = 5.0,
        lease: timedelta = timedelta(minutes=3),
    ) -> None:
        self.session_factory = session_factory
        self.rasa = rasa
        self.delivery = delivery
        self.photos = InboundMedia(senders, media)
        self.clock = clock
        self.ack_timeout = ack_timeout
        self.lease = lease
        self._draining: dict[int, bool] = {}  # conversation → called again while draining

    async def process(self, conversation_id: int) -> None:
        """Drain the conversation's queue unless another process is already doing it.

        While a drain of this process runs, a new call only marks the conversation; the drain
        goes round once more before it stops (no lease round trip per message of a busy citizen)."""
        if conversation_id in self._draining:
            self._draining[conversation_id] = True
            return
        self._draining[conversation_id] = True
        try:
            await self._process(conversation_id)
        finally:
            del self._draining[conversation_id]

    async def _process(self, conversation_id: int) -> None:
        owner = uuid.uuid4().hex[:16]  # one per drain: two drains never share a lease
        while self._draining[conversation_id]:
            self._draining[conversation_id] = False
            if not await in_thread(self._lease, conversation_id, owner, True):
                return
            try:
                drained = await self._drain(conversation_id, owner)
            finally:
                pending = await in_thread(self._release, conversation_id, owner)
            if not drained:
                return
            self._draining[conversation_id] |= pending

    async def sweep(self, older_than: timedelta = timedelta(seconds=5)) -> int:
        """Process every conversation with a message pending for longer than ``older_than``."""
        ids = await in_thread(self._with_pending, self.clock() - older_than)
        for conversation_id in ids:
            await self.process(conversation_id)
        return len(ids)

    async def _drain(self, conversation_id: int, owner: str) -> bool:
        record = await in_thread(self._next, conversation_id)
        while record is not None:
            if not await self._handle(record):
                return False
            record = await in_thread(self._renew_and_next, conversation_id, owner)
        return True

    async def _handle(self, record: InboundRecord) -> bool:
        if await in_thread(self._hand_off, record):
            return True
        if record.kind in (MessageKind.FOLLOW.value, MessageKind.UNFOLLOW.value):
            await in_thread(self._membership, record)
            return True
        if record.kind in NOTICE_KINDS:
            await self._notice(record, NOTICE_KINDS[record.kind], ANSWERED)
            return True
        try:
            metadata = await self._metadata(record)
            replies = await self._ask(record, metadata)
        except (RasaUnavailable, ChannelError) as exc:
            await self._stall(record, str(exc))
            return False
        await in_thread(self._store_replies, record, replies)
        await self.delivery.deliver_to(record.channel, record.channel_user_id)
        return True

    async def _ask(self, record: InboundRecord, metadata: dict[str, Any]) -> list[BotReply]:
        text = await in_thread(self._resolve_choice, record)
        task = asyncio.ensure_future(
            self.rasa.send(f"{record.channel}:{record.channel_user_id}", text, metadata)
        )
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.ack_timeout)
        except TimeoutError:
            await self._acknowledge(record)
            return await task

    async def _metadata(self, record: InboundRecord) -> dict[str, Any]:
        details = record.details or {}
        if "media_urls" not in details:
            details = {**details, "media_urls": await self.photos.fetch(record)}
            if details["media_urls"]:  # kept so a retry does not download again
                await in_thread(self._save_details, record.id, details)
        if record.attempts == 0:
            await self.photos.answer_callback(record)
        metadata = {
            "channel": record.channel,
            "channel_user_id": record.channel_user_id,
            "display_name": details.get("display_name"),
            "photo_urls": details["media_urls"],
            "latitude": details.get("latitude"),
            "longitude": details.get("longitude"),
        }
        return {key: value for key, value in metadata.items() if value is not None}

    def _resolve_choice(self, record: InboundRecord) -> str:
        """Zalo shows buttons as numbered choices: map "2" back to the second button's payload."""
        if record.channel != Channel.ZALO.value or record.kind != MessageKind.TEXT.value:
            return record.text
        with self.session_factory() as session:
            offered = SqlConversationRepository(session).offered_buttons(record.conversation_id)
        payload = resolve_choice(record.text, [Button(b["title"], b["payload"]) for b in offered])
        return payload or record.text

    def _store_replies(self, record: InboundRecord, replies: list[BotReply]) -> None:
        now = self.clock()
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            for index, reply in enumerate(replies):
                key = f"rasa:{record.id}:{index}"
                session.add(_reply_row(record, reply, key, now + REPLY_GRACE))
                repo.add_turn(record.conversation_id, "out", "bot", text=reply.text, buttons=reply.buttons,
                              image_url=reply.image_url, outbox_key=key)  # fmt: skip
            self._settle(session, record.id, PROCESSED)
            repo.get(record.conversation_id).rasa_ack_sent = False
            session.commit()

    async def _stall(self, record: InboundRecord, error: str) -> None:
        logger.warning("message of %s stays pending: %s", mask_id(record.channel_user_id), error)
        await in_thread(self._count_attempt, record.id, error)
        await self._acknowledge(record)

    async def _acknowledge(self, record: InboundRecord) -> None:
        """Tell the citizen once per outage that the message is safe and will be answered."""
        if await in_thread(self._queue_ack, record):
            await self.delivery.deliver_to(record.channel, record.channel_user_id)

    async def _notice(self, record: InboundRecord, text_key: str, state: str) -> None:
        await in_thread(self._queue_notice, record, text_key, state)
        await self.delivery.deliver_to(record.channel, record.channel_user_id)

    def _count_attempt(self, record_id: int, error: str) -> None:
        with self.session_factory() as session:
            stored = SqlConversationRepository(session).inbound_by_id(record_id)
            stored.attempts, stored.last_error = stored.attempts + 1, error[:2000]
            session.commit()

    def _queue_ack(self, record: InboundRecord) -> bool:
        with self.session_factory() as session:
            conversation = SqlConversationRepository(session).get(record.conversation_id)
            if conversation.rasa_ack_sent:
                return False
            conversation.rasa_ack_sent = True
            row = notice_row(
                record.channel, record.channel_user_id, "rasa_pending", f"ack:{record.id}", self.clock()
            )
            session.add(row)
            session.flush()
            session.commit()
        return True

    def _queue_notice(self, record: InboundRecord, text_key: str, state: str) -> None:
        with self.session_factory() as session:
            row = notice_row(
                record.channel, record.channel_user_id, text_key, f"{text_key}:{record.id}", self.clock()
            )
            session.add(row)
            self._settle(session, record.id, state)
            session.flush()
            session.commit()

    def _hand_off(self, record: InboundRecord) -> bool:
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
            self._settle(session, record.id, HANDED_OFF)
            session.commit()
        return True

    def _membership(self, record: InboundRecord) -> None:
        """A citizen who blocked the bot or unfollowed the OA cannot be messaged until they return."""
        with self.session_factory() as session:
            if record.kind == MessageKind.UNFOLLOW.value:
                conversation = SqlConversationRepository(session).get(record.conversation_id)
                conversation.unreachable, conversation.unreachable_reason = (
                    True,
                    "unfollowed or blocked the bot",
                )
            self._settle(session, record.id, SKIPPED)
            session.commit()

    def _settle(self, session: Session, record_id: int, state: str) -> None:
        stored = SqlConversationRepository(session).inbound_by_id(record_id)
        stored.state, stored.processed_at, stored.last_error = state, self.clock(), None

    def _save_details(self, record_id: int, details: dict[str, Any]) -> None:
        with self.session_factory() as session:
            SqlConversationRepository(session).inbound_by_id(record_id).details = details
            session.commit()

    def _next(self, conversation_id: int) -> InboundRecord | None:
        with self.session_factory() as session:
            return SqlConversationRepository(session).next_pending(conversation_id)

    def _with_pending(self, before: datetime) -> list[int]:
        with self.session_factory() as session:
            return list(SqlConversationRepository(session).with_pending(before))

    def _lease(self, conversation_id: int, owner: str, take: bool) -> bool:
        with self.session_factory() as session:
            now = self.clock()
            taken = SqlConversationRepository(session).acquire(conversation_id, owner, now + self.lease, now)
            session.commit()
        return taken

    def _renew_and_next(self, conversation_id: int, owner: str) -> InboundRecord | None:
        """Extend the lease and read the next pending message, in one transaction."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            now = self.clock()
            repo.acquire(conversation_id, owner, now + self.lease, now)
            record = repo.next_pending(conversation_id)
            session.commit()
        return record

    def _release(self, conversation_id: int, owner: str) -> bool:
        """Give the lease back; True if messages are still pending."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            repo.release(conversation_id, owner)
            pending = repo.has_pending(conversation_id)
            session.commit()
        return pending


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a worker thread, off the event loop."""
    return await asyncio.to_thread(function, *args)


def _thread_body(record: InboundRecord) -> str:
    details = record.details or {}
    parts = [record.text] if not record.text.startswith("/") else []
    parts += list(details.get("media_urls") or details.get("photo_urls") or [])
    if details.get("latitude") is not None:
        parts.append(f"Vị trí: {details['latitude']}, {details['longitude']}")
    return "\n".join(parts) or record.text


def _reply_row(record: InboundRecord, reply: BotReply, key: str, due: datetime) -> OutboxMessage:
    return OutboxMessage(
        ticket_id=None, channel=record.channel, channel_user_id=record.channel_user_id, kind="bot_reply",
        payload=reply.payload(), idempotency_key=key, state=PENDING, attempts=0, next_attempt_at=due,
    )  # fmt: skip
