"""Process a citizen's inbound queue: strictly in order, one process at a time per citizen.

Each pending message goes to the ticket thread (while an official has taken the conversation
over) or to Rasa; Rasa's replies become bot turns and outbox rows, leased in the same
transaction and sent at once. When Rasa is down or slow the citizen is told once, and the
message stays pending (never skipped) until Rasa answers. A message that fails for its own sake
(its photo cannot be fetched, an unexpected error) is tried again with backoff a bounded number
of times, or not at all when it can never work, then parked (dead, with its reason, shown in
the console): the citizen is asked to send it again and the queue goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from backend.adapters.db.engine import SessionFactory, retry_if_dropped
from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.media_store import AbstractMediaStore
from backend.adapters.metrics import MESSAGES_FORWARDED, RASA_ROUND_TRIP
from backend.adapters.notifiers.senders import ChannelSenders
from backend.adapters.rasa_client import BotReply, RasaClient, RasaUnavailable
from backend.services.conversation_store import ANSWERED, ConversationStore, Lease, Pending
from backend.services.delivery import DeliveryService, RetryPolicy
from backend.services.inbound_media import InboundMedia
from channels import Button, ChannelError, MessageKind, RetryLater, resolve_choice
from channels._media import mask_id

logger = logging.getLogger(__name__)
NOTICE_KINDS = {MessageKind.EDITED.value: "edited", MessageKind.UNSUPPORTED.value: "unsupported"}
T = TypeVar("T")
DATABASE_TROUBLE = (OperationalError, InterfaceError, PoolTimeout)  # not the message's fault
INBOUND_RETRY = RetryPolicy(base=5.0, cap=60.0, max_attempts=4)  # INBOUND_BACKOFF_BASE, _MAX, _MAX_ATTEMPTS


class ConversationProcessor:
    """Forwards pending inbound messages, one citizen at a time, oldest first."""

    def __init__(
        self,
        session_factory: SessionFactory,
        rasa: RasaClient,
        delivery: DeliveryService,
        senders: ChannelSenders,
        media: AbstractMediaStore,
        clock: Callable[[], datetime],
        ack_timeout: float = 5.0,
        lease: timedelta = timedelta(minutes=3),
        retry: RetryPolicy = INBOUND_RETRY,
    ) -> None:
        self.store = ConversationStore(session_factory, clock, lease, delivery.lease)
        self.rasa = rasa
        self.delivery = delivery
        self.photos = InboundMedia(senders, media)
        self.clock = clock
        self.ack_timeout = ack_timeout
        self.retry = retry  # of messages that fail for their own sake (INBOUND_*)
        self._draining: dict[int, bool] = {}  # conversation → called again while draining
        self._handed: dict[int, Lease] = {}  # leases taken by a batch while the drain was ending

    async def process(self, conversation_id: int, lease: Lease | None = None) -> None:
        """Drain the conversation's queue unless another process is already doing it.

        While a drain of this process runs, a new call only marks the conversation; the drain
        goes round once more before it stops (no lease round trip per message of a busy citizen).
        ``lease``: taken with the batch that stored the message; the drain starts from it."""
        if conversation_id in self._draining:
            if lease is not None:  # taken after this drain gave its own back: it carries on with it
                self._handed[conversation_id] = lease
            self._draining[conversation_id] = True
            return
        self._draining[conversation_id] = True
        try:
            await self._process(conversation_id, lease)
        finally:
            del self._draining[conversation_id]
            left = self._handed.pop(conversation_id, None)
            if left is not None:  # the drain stopped on a message that must wait: give it back
                await in_thread(self.store.release, conversation_id, left.owner)

    async def _process(self, conversation_id: int, lease: Lease | None) -> None:
        while self._draining[conversation_id]:
            self._draining[conversation_id] = False
            owner, taken, pending = await self._round(conversation_id, lease)
            lease = None
            if not taken:  # nothing for this round; again only if a batch marked it (and handed a lease)
                continue
            if not await self._drain(conversation_id, owner, pending):
                return

    async def _round(self, conversation_id: int, lease: Lease | None) -> tuple[str, bool, Pending | None]:
        """The lease a round of the drain works under (owner, taken) and its first message."""
        if lease is not None:  # taken with the batch that stored the message
            return lease.owner, True, lease.pending
        handed = self._handed.pop(conversation_id, None)
        if handed is not None:  # taken while the last round ended: read the queue afresh under it
            step = _again_if_dropped(self.store.next_or_release)
            return handed.owner, True, await in_thread(step, conversation_id, handed.owner)
        owner = uuid.uuid4().hex[:16]  # one per round: two drains never share a lease
        taken, pending = await in_thread(_again_if_dropped(self.store.lease_and_next), conversation_id, owner)
        return owner, taken, pending

    async def sweep(self, older_than: timedelta = timedelta(seconds=5)) -> int:
        """Process every conversation with a message pending for longer than ``older_than``."""
        ids = await in_thread(self.store.with_pending, self.clock() - older_than)
        for conversation_id in ids:
            try:
                await self.process(conversation_id)
            except Exception:  # one conversation's trouble must not stop the others'
                logger.exception("forwarding conversation %s failed", conversation_id)
        return len(ids)

    async def _drain(self, conversation_id: int, owner: str, pending: Pending | None) -> bool:
        """Handle messages until the queue is empty (True: the step that found it empty gave the
        lease back) or one must wait (False: the lease is given back here)."""
        try:
            while pending is not None:
                if not await self._handle(pending):
                    break
                pending = await in_thread(
                    _again_if_dropped(self.store.next_or_release), conversation_id, owner
                )
            else:
                return True
        except BaseException:
            await in_thread(self.store.release, conversation_id, owner)
            raise
        await in_thread(self.store.release, conversation_id, owner)
        return False

    async def _handle(self, pending: Pending) -> bool:
        """Handle the oldest message: True when the queue may go on, False when it must wait."""
        record = pending.record
        if record.retry_at is not None and record.retry_at > self.clock():
            return False  # failed for its own sake: backing off
        try:
            return await self._dispatch(pending)
        except DATABASE_TROUBLE:
            raise
        except Exception as exc:
            reason = _reason(exc)
            # a statement's error carries its parameters (citizens' ids and text): no traceback then
            logger.error("message of %s failed: %s", mask_id(record.channel_user_id), reason,
                         exc_info=not isinstance(exc, StatementError))  # fmt: skip
            return await self._failed(record, reason, "message_failed", retry=True)

    async def _dispatch(self, pending: Pending) -> bool:
        record = pending.record
        if pending.handed_off and await in_thread(self.store.hand_off, record):
            return True
        if record.kind in (MessageKind.FOLLOW.value, MessageKind.UNFOLLOW.value):
            await in_thread(self.store.membership, record)
            return True
        if record.kind in NOTICE_KINDS:
            await self._notice(record, NOTICE_KINDS[record.kind], ANSWERED)
            return True
        try:
            media_urls = await self._media_urls(record)
        except ChannelError as exc:
            return await self._failed(record, f"photo not received: {exc}", "photo_failed",
                                      retry=isinstance(exc, RetryLater))  # fmt: skip
        try:
            sender = f"{record.channel}:{record.channel_user_id}"
            asking = asyncio.ensure_future(
                _timed(self.rasa.send(sender, _resolve_choice(pending), _metadata(record, media_urls)))
            )
            spinner = self.photos.answer_callback(record) if record.attempts == 0 else _nothing()
            replies, _ = await asyncio.gather(self._answer(record, asking), spinner)
        except RasaUnavailable as exc:
            await self._stall(record, str(exc))
            return False
        await self._reply(record, replies)
        return True

    async def _failed(self, record: InboundRecord, error: str, text_key: str, retry: bool) -> bool:
        """A failure of the message itself. While it may still work and tries are left, it is
        tried again after a backoff (False: the queue waits); else it is parked, the citizen is
        asked to send it again, and the queue goes on (True)."""
        failures = record.failures + 1
        if retry and failures < self.retry.max_attempts:
            logger.warning(
                "message of %s failed (try %d): %s", mask_id(record.channel_user_id), failures, error
            )
            retry_at = self.clock() + self.retry.delay(failures)
            await in_thread(self.store.count_failure, record.id, error, retry_at)
            await self._acknowledge(record)
            return False
        logger.warning(
            "message of %s parked after %d tries: %s", mask_id(record.channel_user_id), failures, error
        )
        await in_thread(self.store.park, record, error, text_key)
        await self.delivery.deliver_to(record.channel, record.channel_user_id)
        return True

    async def _reply(self, record: InboundRecord, replies: list[BotReply]) -> None:
        """Store the replies (leased for sending in the same transaction) and send them now."""
        stored = await in_thread(_again_if_dropped(self.store.store_replies), record, replies)
        if stored.claimed is not None and await self.delivery.deliver_in_order(
            stored.claimed, stored.unreachable
        ):
            return
        await self.delivery.deliver_to(record.channel, record.channel_user_id)  # what else can go now

    async def _answer(self, record: InboundRecord, asking: asyncio.Future[list[BotReply]]) -> list[BotReply]:
        """Rasa's replies; the citizen is told to wait when they take longer than the ack timeout.
        (``asking`` is started before anything else is scheduled: its request goes out first.)"""
        try:
            return await asyncio.wait_for(asyncio.shield(asking), self.ack_timeout)
        except TimeoutError:
            await self._acknowledge(record)
            return await asking

    async def _media_urls(self, record: InboundRecord) -> list[str]:
        """Our URLs of the message's photos, fetched once (kept so a retry does not download again)."""
        details = record.details or {}
        if "media_urls" in details:
            return list(details["media_urls"])
        urls = await self.photos.fetch(record)
        if urls:
            await in_thread(self.store.save_details, record.id, {**details, "media_urls": urls})
        return urls

    async def _stall(self, record: InboundRecord, error: str) -> None:
        logger.warning("message of %s stays pending: %s", mask_id(record.channel_user_id), error)
        await in_thread(self.store.count_attempt, record.id, error)
        await self._acknowledge(record)

    async def _acknowledge(self, record: InboundRecord) -> None:
        """Tell the citizen once per outage that the message is safe and will be answered."""
        if await in_thread(self.store.queue_ack, record):
            await self.delivery.deliver_to(record.channel, record.channel_user_id)

    async def _notice(self, record: InboundRecord, text_key: str, state: str) -> None:
        await in_thread(self.store.queue_notice, record, text_key, state)
        await self.delivery.deliver_to(record.channel, record.channel_user_id)


def _reason(exc: Exception) -> str:
    """What the console shows of an unexpected error: its type and first line (a database error's
    statement and parameters stay out)."""
    first = next(iter(str(exc).splitlines()), "")
    return f"{type(exc).__name__}: {first}"[:300]


def _metadata(record: InboundRecord, media_urls: list[str]) -> dict[str, Any]:
    details = record.details or {}
    metadata = {
        "channel": record.channel,
        "channel_user_id": record.channel_user_id,
        "display_name": details.get("display_name"),
        "photo_urls": media_urls,
        "latitude": details.get("latitude"),
        "longitude": details.get("longitude"),
    }
    return {key: value for key, value in metadata.items() if value is not None}


def _resolve_choice(pending: Pending) -> str:
    """Zalo shows buttons as numbered choices: map "2" back to the second button's payload."""
    text = pending.record.text
    if not pending.offered:
        return text
    return resolve_choice(text, [Button(b["title"], b["payload"]) for b in pending.offered]) or text


async def _nothing() -> None:
    return None


def _again_if_dropped(step: Callable[..., T]) -> Callable[..., T]:
    """A step of the reply path that is safe to repeat, run again if its connection was dropped."""
    return lambda *args: retry_if_dropped(lambda: step(*args))


async def _timed(asking: Awaitable[list[BotReply]]) -> list[BotReply]:
    """Rasa's answer, counted (ioc_rasa_forwarded) and timed (ioc_rasa_round_trip_seconds)."""
    started = time.perf_counter()
    try:
        replies = await asking
    except RasaUnavailable:
        MESSAGES_FORWARDED.labels("unavailable").inc()
        raise
    MESSAGES_FORWARDED.labels("answered").inc()
    RASA_ROUND_TRIP.observe(time.perf_counter() - started)
    return replies


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a worker thread, off the event loop."""
    return await asyncio.to_thread(function, *args)
