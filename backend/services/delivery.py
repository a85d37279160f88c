"""Outbox delivery: claim rows, send them through the citizen's channel, settle the result.

At-least-once: a row is leased (state ``sending``) before the send and settled after it,
fenced by its attempt number so a worker whose lease ran out cannot overwrite a newer result.
A citizen's rows go out strictly in order (a row waits while an earlier one is unsettled).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from backend.adapters.db.delivery_repository import DEAD, UNDELIVERABLE, SqlDeliveryRepository
from backend.adapters.db.engine import SessionFactory, retry_if_dropped
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.models import OutboxMessage
from backend.adapters.notifiers.senders import ChannelSenders
from backend.adapters.redis.fanout import AbstractFanOut
from channels import (
    Button,
    Channel,
    Delivered,
    DeliveryError,
    OutboundMessage,
    PermanentError,
    RetryLater,
    Unreachable,
)
from channels._media import mask_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, and how many attempts before the dead-letter state."""

    base: float = 2.0
    cap: float = 3600.0
    max_attempts: int = 8

    def delay(self, attempt: int, at_least: float = 0.0) -> timedelta:
        """The wait before attempt ``attempt + 1``: base·2^(attempt-1) ±50 % jitter, at most ``cap``."""
        backoff = min(self.cap, self.base * 2 ** max(0, attempt - 1) * random.uniform(0.5, 1.5))
        return timedelta(seconds=max(at_least, backoff))


@dataclass(frozen=True)
class Claimed:
    """A leased outbox row, detached from its session."""

    id: int
    attempt: int
    channel: str
    user_id: str
    kind: str
    key: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: OutboxMessage) -> Claimed:
        """Copy what delivery needs."""
        return cls(row.id, row.attempts, row.channel, row.channel_user_id, row.kind,
                   row.idempotency_key, dict(row.payload))  # fmt: skip

    def outbound(self) -> OutboundMessage:
        """The message for the channel adapter."""
        buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in self.payload.get("buttons") or [])
        return OutboundMessage(
            Channel(self.channel), self.user_id, text=str(self.payload.get("text") or ""),
            buttons=buttons, image_url=self.payload.get("image_url"), idempotency_key=self.key,
        )  # fmt: skip


class DeliveryService:
    """Delivers outbox rows; any number of these may run in any number of processes."""

    def __init__(
        self,
        session_factory: SessionFactory,
        senders: ChannelSenders,
        fanout: AbstractFanOut,
        clock: Callable[[], datetime],
        policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self.session_factory = session_factory
        self.senders = senders
        self.fanout = fanout
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.lease = lease
        self.worker_id = uuid.uuid4().hex[:16]

    async def run_once(self, limit: int = 20) -> int:
        """Deliver one batch of due rows; return how many were claimed."""
        rows = await asyncio.to_thread(self._claim, limit)
        for row in rows:
            await self.deliver(row)
        return len(rows)

    async def deliver_to(self, channel: str, user_id: str) -> None:
        """Deliver what waits for one citizen now, in order (the worker takes what is left)."""
        while rows := await asyncio.to_thread(self._claim, 20, (channel, user_id)):
            for row in rows:
                await self.deliver(row)

    def _claim(self, limit: int, recipient: tuple[str, str] | None = None) -> list[Claimed]:
        with self.session_factory() as session:
            rows = SqlDeliveryRepository(session).claim(self.clock(), self.lease, limit, recipient=recipient)
            claimed = [Claimed.of(row) for row in rows]
            session.commit()
        return claimed

    async def deliver_in_order(self, rows: list[Claimed], unreachable: bool | None = None) -> bool:
        """Send rows leased together to one citizen, in order; True if all were settled. After a
        row that must be retried, the rest go back to pending (they wait for it). A sent row's
        settlement runs while the next row is sent (settlements keep the rows' order)."""
        settlements: list[asyncio.Future[None]] = []
        try:
            for index, row in enumerate(rows):
                outcome = await self._attempt(row, unreachable)
                if isinstance(outcome, Delivered):
                    earlier = settlements[-1] if settlements else None
                    settlements.append(asyncio.ensure_future(self._delivered_after(earlier, row, outcome)))
                elif not outcome:
                    await asyncio.to_thread(self._unclaim, rows[index + 1 :])
                    return False
            return True
        finally:
            if settlements:
                await asyncio.gather(*settlements)

    async def deliver(self, row: Claimed, unreachable: bool | None = None) -> bool:
        """Send one leased row and settle it; False if it is to be retried later.

        ``unreachable``: what the caller already knows of the citizen (None: look it up)."""
        outcome = await self._attempt(row, unreachable)
        if isinstance(outcome, Delivered):
            await self._delivered(row, outcome)
            return True
        return outcome

    async def _attempt(self, row: Claimed, unreachable: bool | None) -> Delivered | bool:
        """Send one leased row: what the channel answered, or the failure settled here (True: for
        good, False: to be retried later)."""
        try:
            return await self._send(row, unreachable)
        except RetryLater as exc:
            await asyncio.to_thread(self._retry, row, str(exc), exc.retry_after)
        except Unreachable as exc:
            await asyncio.to_thread(self._unreachable, row, str(exc))
            return True
        except PermanentError as exc:
            await asyncio.to_thread(self._give_up, row, DEAD, str(exc))
            return True
        except DeliveryError as exc:
            await asyncio.to_thread(self._retry, row, str(exc), 0.0)
        except Exception as exc:
            logger.exception("delivery of outbox row %s failed", row.id)
            await asyncio.to_thread(self._retry, row, f"{type(exc).__name__}: {exc}", 0.0)
        return False

    async def _send(self, row: Claimed, unreachable: bool | None) -> Delivered:
        if unreachable is None:
            unreachable = await asyncio.to_thread(self._is_unreachable, row)
        if unreachable:
            raise Unreachable("the citizen is marked unreachable on this channel")
        if row.channel == Channel.WEBCHAT.value:
            return Delivered(row.key)  # the thread turn written on settlement is the delivery
        return await self.senders.send(row.outbound())

    async def _delivered(self, row: Claimed, delivered: Delivered) -> None:
        settled = await asyncio.to_thread(retry_if_dropped, partial(self._settle_delivered, row, delivered))
        if not settled:
            logger.warning("outbox row %s was settled by another worker", row.id)
        elif row.channel == Channel.WEBCHAT.value:
            await self.fanout.publish(row.user_id)

    async def _delivered_after(
        self, earlier: asyncio.Future[None] | None, row: Claimed, delivered: Delivered
    ) -> None:
        if earlier is not None:
            await asyncio.wait([earlier])  # its failure is raised by the caller's gather
        await self._delivered(row, delivered)

    def _settle_delivered(self, row: Claimed, delivered: Delivered) -> bool:
        with self.session_factory() as session:
            settled = SqlDeliveryRepository(session).mark_delivered(
                row.id, row.attempt, delivered.channel_message_id, self.worker_id
            )
            if settled:
                self._record_turn(session, row)
            session.commit()
        return settled

    def _record_turn(self, session: Session, row: Claimed) -> None:
        if row.kind == "bot_reply":  # its turn was written with it (ConversationStore.store_replies)
            return
        repo = SqlConversationRepository(session)
        if repo.turn_exists(row.key):
            return
        conversation = repo.get_or_create(row.channel, row.user_id, None)
        session.flush()
        repo.add_turn(conversation.id, "out", "system", text=str(row.payload.get("text") or ""),
                      buttons=list(row.payload.get("buttons") or []),
                      image_url=row.payload.get("image_url"), outbox_key=row.key)  # fmt: skip

    def _retry(self, row: Claimed, error: str, at_least: float) -> None:
        if row.attempt >= self.policy.max_attempts:
            self._give_up(row, DEAD, f"gave up after {row.attempt} attempts: {error}")
            return
        at = self.clock() + self.policy.delay(row.attempt, at_least)
        logger.info("outbox row %s to %s: retry at %s (%s)", row.id, mask_id(row.user_id), at, error)
        with self.session_factory() as session:
            SqlDeliveryRepository(session).schedule_retry(row.id, row.attempt, error, at)
            session.commit()

    def _unreachable(self, row: Claimed, error: str) -> None:
        with self.session_factory() as session:
            conversation = SqlConversationRepository(session).get_or_create(row.channel, row.user_id, None)
            conversation.unreachable, conversation.unreachable_reason = True, error[:500]
            SqlDeliveryRepository(session).give_up(row.id, row.attempt, UNDELIVERABLE, error)
            session.commit()

    def _unclaim(self, rows: list[Claimed]) -> None:
        if rows:
            with self.session_factory() as session:
                repository = SqlDeliveryRepository(session)
                for row in rows:
                    repository.unclaim(row.id, row.attempt, self.clock())
                session.commit()

    def _give_up(self, row: Claimed, state: str, error: str) -> None:
        logger.warning("outbox row %s to %s: %s (%s)", row.id, mask_id(row.user_id), state, error)
        with self.session_factory() as session:
            SqlDeliveryRepository(session).give_up(row.id, row.attempt, state, error)
            session.commit()

    def _is_unreachable(self, row: Claimed) -> bool:
        with self.session_factory() as session:
            conversation = SqlConversationRepository(session).find(row.channel, row.user_id)
            return bool(conversation and conversation.unreachable)
