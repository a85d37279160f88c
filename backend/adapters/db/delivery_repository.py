"""What outbox delivery workers need beyond the outbox repository: per-citizen ordered claims,
fenced settlement (a worker whose lease was taken over cannot overwrite the new owner's
result) and delivery receipts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from backend.adapters.db.base import utcnow
from backend.adapters.db.gateway_models import DeliveryReceipt
from backend.adapters.db.models import OutboxMessage
from backend.adapters.db.outbox_repository import DEAD, DELIVERED, FAILED, PENDING, SENDING

UNDELIVERABLE = "undeliverable"
OPEN_STATES = (PENDING, FAILED, SENDING)


class SqlDeliveryRepository:
    """Claim and settle outbox rows inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self,
        now: datetime,
        lease: timedelta,
        limit: int = 20,
        ids: Iterable[int] | None = None,
        recipient: tuple[str, str] | None = None,
    ) -> Sequence[OutboxMessage]:
        """Lease due rows whose earlier rows to the same citizen are all settled, so a citizen's
        messages go out in order. ``ids`` narrows to those rows; ``recipient`` to one citizen's
        rows, including pending ones not yet due (the gateway delivering its replies at once)."""
        earlier = aliased(OutboxMessage)
        blocked = (
            select(earlier.id)
            .where(
                earlier.channel == OutboxMessage.channel,
                earlier.channel_user_id == OutboxMessage.channel_user_id,
                earlier.id < OutboxMessage.id,
                earlier.state.in_(OPEN_STATES),
            )
            .exists()
        )
        due = OutboxMessage.next_attempt_at <= now
        wanted = due
        if recipient is not None:
            wanted = and_(
                OutboxMessage.channel == recipient[0],
                OutboxMessage.channel_user_id == recipient[1],
                (OutboxMessage.state == PENDING) | due,
            )
        if ids is not None:
            wanted = and_(wanted, OutboxMessage.id.in_(list(ids)))
        statement = (
            select(OutboxMessage)
            .where(OutboxMessage.state.in_(OPEN_STATES), wanted, ~blocked)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True, of=OutboxMessage)
        rows = self.session.scalars(statement).all()
        for row in rows:
            row.state, row.attempts, row.next_attempt_at = SENDING, row.attempts + 1, now + lease
        self.session.flush()
        return rows

    def receipt(self, outbox_id: int) -> DeliveryReceipt | None:
        """The receipt of a row the channel already accepted, if any."""
        return self.session.get(DeliveryReceipt, outbox_id)

    def mark_delivered(self, row_id: int, attempt: int, channel_message_id: str | None, worker: str) -> bool:
        """Record the channel's acceptance; False if this worker no longer owns the row."""
        if not self._settle(row_id, attempt, state=DELIVERED, delivered_at=utcnow(), last_error=None):
            return False
        if self.receipt(row_id) is None:
            self.session.add(
                DeliveryReceipt(outbox_id=row_id, channel_message_id=channel_message_id, worker=worker)
            )
        return True

    def schedule_retry(self, row_id: int, attempt: int, error: str, at: datetime) -> bool:
        """Try again at ``at``."""
        return self._settle(row_id, attempt, state=FAILED, last_error=error[:2000], next_attempt_at=at)

    def unclaim(self, row_id: int, attempt: int, now: datetime) -> bool:
        """Give a leased row back unsent (pending, due now, the attempt not counted)."""
        return self._settle(row_id, attempt, state=PENDING, attempts=attempt - 1, next_attempt_at=now)

    def give_up(self, row_id: int, attempt: int, state: str, error: str) -> bool:
        """Settle for good: ``dead`` (retries exhausted, rejected) or ``undeliverable``."""
        return self._settle(row_id, attempt, state=state, last_error=error[:2000])

    def requeue(self, row_id: int, now: datetime) -> bool:
        """Send a dead row again: pending, due ``now``, attempts from zero; False unless it was dead."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.state == DEAD)
            .values(state=PENDING, attempts=0, next_attempt_at=now, last_error=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)

    def claim_queue(
        self, channel: str, user_id: str, now: datetime, lease: timedelta
    ) -> Sequence[OutboxMessage] | None:
        """Lease every unsettled row to one citizen, in order, if all are pending and none is
        locked by another transaction; None otherwise (one is being sent or waits for a retry).
        The leases are written when the session flushes. (PostgreSQL claims the queue inside the
        reply step's single statement, ``bot_replies_pg``.)"""
        every = aliased(OutboxMessage)
        total = (
            select(func.count())
            .where(every.channel == channel, every.channel_user_id == user_id, every.state.in_(OPEN_STATES))
            .scalar_subquery()
        )
        statement = (
            select(OutboxMessage, total)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.channel_user_id == user_id,
                OutboxMessage.state.in_(OPEN_STATES),
            )
            .order_by(OutboxMessage.id)
        )
        found = self.session.execute(statement).all()
        rows = [row for row, _ in found]
        if any(row.state != PENDING for row in rows) or (found and found[0][1] != len(rows)):
            return None
        for row in rows:
            row.state, row.attempts, row.next_attempt_at = SENDING, row.attempts + 1, now + lease
        return rows

    def open_rows_to(self, channel: str, user_id: str) -> Sequence[OutboxMessage]:
        """Unsettled rows to one citizen, oldest first."""
        statement = select(OutboxMessage).where(
            OutboxMessage.channel == channel,
            OutboxMessage.channel_user_id == user_id,
            OutboxMessage.state.in_(OPEN_STATES),
        )
        return self.session.scalars(statement.order_by(OutboxMessage.id)).all()

    def _settle(self, row_id: int, attempt: int, **values: object) -> bool:
        result = self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id, OutboxMessage.state == SENDING, OutboxMessage.attempts == attempt
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)


__all__ = ["DEAD", "DELIVERED", "FAILED", "PENDING", "SENDING", "UNDELIVERABLE", "SqlDeliveryRepository"]
