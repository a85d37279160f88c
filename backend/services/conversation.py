"""Process a citizen's inbound queue: strictly in order, one process at a time per citizen.

Each pending message goes to the ticket thread (while an official has taken the conversation
over) or to Rasa; Rasa's replies become bot turns and outbox rows, leased in the same
transaction and sent at once. When Rasa is down or slow the citizen is told once, and the
message stays pending (never skipped) until Rasa answers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from backend.adapters.db.engine import SessionFactory, retry_if_dropped
from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.media_store import LocalMediaStore
from backend.adapters.notifiers.senders import ChannelSenders
from backend.adapters.rasa_client import BotReply, RasaClient, RasaUnavailable
from backend.services.conversation_store import ANSWERED, ConversationStore, Lease, Pending
from backend.services.delivery import DeliveryService
from backend.services.inbound_media import InboundMedia
from channels import Button, ChannelError, MessageKind, resolve_choice
from channels._media import mask_id

logger = logging.getLogger(__name__)
NOTICE_KINDS = {MessageKind.EDITED.value: "edited", MessageKind.UNSUPPORTED.value: "unsupported"}
T = TypeVar("T")


class ConversationProcessor:
    """Forwards pending inbound messages, one citizen at a time, oldest first."""

    def __init__(
        self,
        session_factory: SessionFactory,
        rasa: RasaClient,
        delivery: DeliveryService,
        senders: ChannelSenders,
        media: LocalMediaStore,
        clock: Callable[[], datetime],
        ack_timeout: float = 5.0,
        lease: timedelta = timedelta(minutes=3),
    ) -> None:
        self.store = ConversationStore(session_factory, clock, lease, delivery.lease)
        self.rasa = rasa
        self.delivery = delivery
        self.photos = InboundMedia(senders, media)
        self.clock = clock
        self.ack_timeout = ack_timeout
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
            await self.process(conversation_id)
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
            metadata = await self._metadata(record)
            sender = f"{record.channel}:{record.channel_user_id}"
            asking = asyncio.ensure_future(self.rasa.send(sender, _resolve_choice(pending), metadata))
            spinner = self.photos.answer_callback(record) if record.attempts == 0 else _nothing()
            replies, _ = await asyncio.gather(self._answer(record, asking), spinner)
        except (RasaUnavailable, ChannelError) as exc:
            await self._stall(record, str(exc))
            return False
        await self._reply(record, replies)
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

    async def _metadata(self, record: InboundRecord) -> dict[str, Any]:
        details = record.details or {}
        if "media_urls" not in details:
            details = {**details, "media_urls": await self.photos.fetch(record)}
            if details["media_urls"]:  # kept so a retry does not download again
                await in_thread(self.store.save_details, record.id, details)
        metadata = {
            "channel": record.channel,
            "channel_user_id": record.channel_user_id,
            "display_name": details.get("display_name"),
            "photo_urls": details["media_urls"],
            "latitude": details.get("latitude"),
            "longitude": details.get("longitude"),
        }
        return {key: value for key, value in metadata.items() if value is not None}

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


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a worker thread, off the event loop."""
    return await asyncio.to_thread(function, *args)
