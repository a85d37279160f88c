"""Ticket persistence: codes, lookups, thread, audit trail, subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.adapters.db.models import (
    AuditEntry,
    Subscription,
    Ticket,
    TicketCodeCounter,
    TicketMessage,
)
from backend.domain.lifecycle import OPEN_STATUSES


class SqlTicketRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, year: int) -> int:
        """Atomically take the next number of the year (the counter row stays locked until commit)."""
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        counter = TicketCodeCounter.__table__
        assert isinstance(counter, Table)
        statement = (
            insert(counter)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[counter.c.year], set_={"last_number": counter.c.last_number + 1}
            )
            .returning(counter.c.last_number)
        )
        return int(self.session.execute(statement).scalar_one())

    def add(self, ticket: Ticket) -> None:
        """Stage a new ticket and give it an id."""
        self.session.add(ticket)
        self.session.flush()

    def get(self, code: str, *, for_update: bool = False) -> Ticket | None:
        """A ticket by its public code, optionally locked for the rest of the transaction."""
        statement = select(Ticket).where(Ticket.code == code)
        if for_update:
            statement = statement.with_for_update(of=Ticket)
        return self.session.scalars(statement).unique().one_or_none()

    def by_idempotency_key(self, key: str) -> Ticket | None:
        """The ticket created earlier with this Idempotency-Key."""
        return self.session.scalars(select(Ticket).where(Ticket.idempotency_key == key)).first()

    def for_citizen(self, channel: str, user_id: str, limit: int = 50) -> Sequence[Ticket]:
        """A citizen's tickets, newest first."""
        statement = (
            select(Ticket)
            .where(Ticket.citizen_channel == channel, Ticket.citizen_user_id == user_id)
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
        return self.session.scalars(statement).unique().all()

    def open_since(self, category: str, since: datetime, limit: int = 200) -> Sequence[Ticket]:
        """Open tickets of a category created after `since`, oldest first."""
        statement = (
            select(Ticket)
            .where(
                Ticket.category_code == category,
                Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                Ticket.created_at >= since,
            )
            .order_by(Ticket.created_at, Ticket.id)
            .limit(limit)
        )
        return self.session.scalars(statement).unique().all()

    def add_message(self, ticket: Ticket, author_kind: str, body: str, author: str | None) -> None:
        """Append a message to the ticket's thread."""
        self.session.add(
            TicketMessage(ticket_id=ticket.id, author_kind=author_kind, body=body, author_name=author)
        )

    def last_message(self, ticket: Ticket, author_kind: str) -> TicketMessage | None:
        """The newest thread message of one author kind."""
        statement = (
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.author_kind == author_kind)
            .order_by(TicketMessage.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def audit(self, ticket: Ticket, actor: str, action: str, **details: Any) -> None:
        """Append an entry to the audit trail."""
        self.session.add(AuditEntry(ticket_id=ticket.id, actor=actor, action=action, details=details))

    def audit_trail(self, ticket: Ticket) -> Sequence[AuditEntry]:
        """The audit trail of a ticket, oldest first."""
        statement = select(AuditEntry).where(AuditEntry.ticket_id == ticket.id).order_by(AuditEntry.id)
        return self.session.scalars(statement).all()

    def subscribe(self, ticket: Ticket, channel: str, user_id: str, via: Ticket | None) -> None:
        """Let another citizen hear about this ticket (once)."""
        if (channel, user_id) in self.recipients(ticket):
            return
        self.session.add(
            Subscription(
                ticket_id=ticket.id,
                channel=channel,
                channel_user_id=user_id,
                via_ticket_id=via.id if via else None,
            )
        )
        self.session.flush()

    def recipients(self, ticket: Ticket) -> list[tuple[str, str]]:
        """The owner first, then every subscribed citizen."""
        rows = self.session.execute(
            select(Subscription.channel, Subscription.channel_user_id)
            .where(Subscription.ticket_id == ticket.id)
            .order_by(Subscription.id)
        )
        owner = (ticket.citizen_channel, ticket.citizen_user_id)
        return [owner, *((c, u) for c, u in rows if (c, u) != owner)]
