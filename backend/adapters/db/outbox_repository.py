"""Outbox persistence, including what delivery workers need to claim and settle rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.adapters.db.models import OutboxMessage, utcnow

PENDING, SENDING, DELIVERED, FAILED, DEAD = "pending", "sending", "delivered", "failed", "dead"


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, **fields: Any) -> OutboxMessage:
        """Stage one outbound message (same transaction as the change it reports)."""
        message = OutboxMessage(state=PENDING, attempts=0, next_attempt_at=utcnow(), **fields)
        self.session.add(message)
        return message

    def for_ticket(self, ticket_id: int) -> Sequence[OutboxMessage]:
        """Every outbox row of a ticket, oldest first."""
        statement = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
        return self.session.scalars(statement.order_by(OutboxMessage.id)).all()

    def claim_batch(
        self, limit: int = 20, lease: timedelta = timedelta(minutes=2), now: datetime | None = None
    ) -> Sequence[OutboxMessage]:
        """Take due rows for delivery: state → sending, attempts + 1, leased until now + lease.

        Rows whose lease ran out (a worker died while sending) are due again. On PostgreSQL
        concurrent workers skip each other's rows (FOR UPDATE SKIP LOCKED); commit to release.
        """
        now = now or utcnow()
        statement = (
            select(OutboxMessage)
            .where(
                or_(
                    OutboxMessage.state == PENDING,
                    OutboxMessage.state == FAILED,
                    OutboxMessage.state == SENDING,
                ),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        rows = self.session.scalars(statement).all()
        for row in rows:
            row.state, row.attempts, row.next_attempt_at = SENDING, row.attempts + 1, now + lease
        self.session.flush()
        return rows

    def mark_delivered(self, message_id: int) -> None:
        """The channel accepted the message."""
        row = self.session.get_one(OutboxMessage, message_id)
        row.state, row.delivered_at, row.last_error = DELIVERED, utcnow(), None

    def schedule_retry(self, message_id: int, error: str, delay: timedelta) -> None:
        """Delivery failed; try again after `delay`."""
        row = self.session.get_one(OutboxMessage, message_id)
        row.state, row.last_error, row.next_attempt_at = FAILED, error[:2000], utcnow() + delay

    def dead_letter(self, message_id: int, error: str) -> None:
        """Give up on the message; it stays for an operator to inspect."""
        row = self.session.get_one(OutboxMessage, message_id)
        row.state, row.last_error = DEAD, error[:2000]
