"""Failed deliveries across the console: outbox rows that ended ``dead`` (retries exhausted or
rejected) or ``undeliverable`` (the citizen blocked the bot or is outside Zalo's 7-day window),
with or without a ticket (bot replies and the gateway's notices have none).

Dispatchers see every row; officers only the rows of their department's tickets. A dead row can
be sent again: back to ``pending`` with its attempts reset, audited on its ticket when it has one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.delivery_repository import DEAD, UNDELIVERABLE, SqlDeliveryRepository
from backend.adapters.db.models import AuditEntry, OutboxMessage, Ticket
from backend.domain.access import TICKET_WORKERS, Principal, department_scope, require
from backend.domain.errors import Conflict, InvalidInput, NotFound
from backend.domain.sla import LOCAL_TZ
from channels._media import mask_id

logger = logging.getLogger(__name__)
FAILED_STATES = (DEAD, UNDELIVERABLE)
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class FailedFilter:
    """Narrow the list to one channel and/or one failed state."""

    channel: str | None = None
    state: str | None = None

    def __post_init__(self) -> None:
        if self.state and self.state not in FAILED_STATES:
            raise InvalidInput(f"unknown failed state: {self.state}")


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    created_at: datetime
    channel: str
    citizen: str  # the recipient's id, masked
    kind: str
    state: str
    text: str  # an excerpt
    attempts: int
    last_error: str | None
    ticket_code: str | None


@dataclass(frozen=True)
class FailedPage:
    items: list[DeliveryRow]
    total: int  # when total_capped: the cap, and more rows match
    page: int
    page_size: int
    has_next: bool = False
    total_capped: bool = False


def excerpt(text: str) -> str:
    """The start of a message, as much as a table cell shows."""
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _payload_text(payload: Any) -> str:
    return str(payload.get("text") or "") if isinstance(payload, dict) else ""


def delivery_row(row: OutboxMessage, ticket_code: str | None) -> DeliveryRow:
    """What the console shows of an outbox row (never the citizen's full id)."""
    return DeliveryRow(
        id=row.id, created_at=row.created_at.astimezone(LOCAL_TZ), channel=row.channel,
        citizen=mask_id(row.channel_user_id), kind=row.kind, state=row.state,
        text=excerpt(_payload_text(row.payload)), attempts=row.attempts, last_error=row.last_error,
        ticket_code=ticket_code,
    )  # fmt: skip


class FailedDeliveries:
    """The failed-deliveries list, its capped count and the resend action."""

    def __init__(
        self, session_factory: sessionmaker[Session], clock: Callable[[], datetime], count_cap: int = 10_000
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.count_cap = count_cap

    def list(self, principal: Principal, flt: FailedFilter, page: int, page_size: int) -> FailedPage:
        """Failed rows the official may see, newest first, one page of them."""
        require(principal, TICKET_WORKERS, "see failed deliveries")
        statement = _visible(select(OutboxMessage, Ticket.code), principal, flt)
        statement = statement.order_by(OutboxMessage.id.desc()).offset((page - 1) * page_size)
        with self.session_factory() as session:
            found = session.execute(statement.limit(page_size + 1)).all()
            total, capped = self._count(session, principal, flt, self.count_cap)
        items = [delivery_row(row, code) for row, code in found[:page_size]]
        return FailedPage(items, total, page, page_size, len(found) > page_size, capped)

    def count(self, principal: Principal, cap: int) -> tuple[int, bool]:
        """How many failed rows the official may see, counting no further than ``cap``."""
        with self.session_factory() as session:
            return self._count(session, principal, FailedFilter(), cap)

    def resend(self, principal: Principal, row_id: int) -> DeliveryRow:
        """Put a dead row back in the queue (pending, attempts reset); audited on its ticket."""
        require(principal, TICKET_WORKERS, "send deliveries again")
        with self.session_factory() as session:
            statement = _scoped(select(OutboxMessage, Ticket.id, Ticket.code), principal)
            found = session.execute(statement.where(OutboxMessage.id == row_id)).first()
            if found is None:
                raise NotFound("delivery not found")
            row, ticket_id, code = found
            if not SqlDeliveryRepository(session).requeue(row.id, self.clock()):
                raise Conflict("only a dead delivery can be sent again")
            if ticket_id is not None:
                details = {"outbox_id": row.id, "kind": row.kind}
                session.add(AuditEntry(ticket_id=ticket_id, actor=principal.actor, action="delivery_resent",
                                       details=details))  # fmt: skip
            session.commit()
            session.refresh(row)
        logger.info("outbox row %s sent again by %s", row_id, principal.actor)
        return delivery_row(row, code)

    @staticmethod
    def _count(session: Session, principal: Principal, flt: FailedFilter, cap: int) -> tuple[int, bool]:
        matched = _visible(select(literal(1)), principal, flt).limit(cap + 1).subquery()
        found = session.scalar(select(func.count()).select_from(matched)) or 0
        return min(found, cap), found > cap


def _scoped(statement: Any, principal: Principal) -> Any:
    """Outbox rows (with their ticket, if any) the principal may see: officers, their department's."""
    statement = statement.select_from(OutboxMessage).outerjoin(Ticket, Ticket.id == OutboxMessage.ticket_id)
    scope = department_scope(principal)
    return statement.where(Ticket.department_code == scope) if scope else statement


def _visible(statement: Any, principal: Principal, flt: FailedFilter) -> Any:
    """Failed rows the principal may see, filtered."""
    states = (flt.state,) if flt.state else FAILED_STATES
    statement = _scoped(statement, principal).where(OutboxMessage.state.in_(states))
    return statement.where(OutboxMessage.channel == flt.channel) if flt.channel else statement
