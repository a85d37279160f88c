"""The console's read side: the inbox list (filters, sort, pages, counts per status)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import Ticket
from backend.domain.access import EXPORTERS, TICKET_WORKERS, Principal, department_scope, require
from backend.domain.errors import InvalidInput
from backend.domain.lifecycle import STATUS_VI, Status, is_open
from backend.domain.sla import LOCAL_TZ, is_overdue
from backend.services.ticket_counts import (
    DEFAULT_COUNT_CAP,
    chosen_total,
    per_status,
    status_counts,
    total_apart,
    total_of,
)
from backend.services.ticket_filters import TicketFilter, conditions, due_soon_limit

SORTS = {
    "created_at": Ticket.created_at,
    "due_at": Ticket.due_at,
    "status": Ticket.status,
    "code": Ticket.code,
}
MAX_PAGE_SIZE = 200
SNIPPET = 200


@dataclass(frozen=True)
class Sort:
    field: str = "created_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.field not in SORTS:
            raise InvalidInput(f"unknown sort field: {self.field!r} (known: {', '.join(SORTS)})")


@dataclass(frozen=True)
class TicketRow:
    """One line of the inbox (no contact details)."""

    code: str
    status: str
    status_vi: str
    category: str
    category_name: str
    unit_code: str | None
    unit_name: str | None
    department_code: str
    department_name: str
    channel: str
    description: str
    location_text: str | None
    created_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    overdue: bool
    due_soon: bool
    rating: int | None
    possible_duplicate_of: str | None


@dataclass(frozen=True)
class TicketPage:
    items: list[TicketRow]
    total: int  # when total_capped: the cap, and more tickets match
    page: int
    page_size: int
    counts: dict[str, int]  # per status, for the filter without its status part
    has_next: bool = False  # a next page has rows (known without the total)
    total_capped: bool = False  # counting stopped at the cap: `total` is a lower bound
    counts_capped: bool = False  # likewise `counts`: each a lower bound, their sum over the cap


def ticket_row(ticket: Ticket, now: datetime, soon_limit: datetime | None = None) -> TicketRow:
    """Build an inbox line from a loaded ticket."""
    still_open = is_open(ticket.status)
    soon = bool(still_open and soon_limit and now <= ticket.due_at <= soon_limit)
    return TicketRow(
        code=ticket.code,
        status=ticket.status,
        status_vi=STATUS_VI[Status(ticket.status)],
        category=ticket.category_code,
        category_name=ticket.category.name_vi,
        unit_code=ticket.unit_code,
        unit_name=ticket.unit.name if ticket.unit else None,
        department_code=ticket.department_code,
        department_name=ticket.department.name,
        channel=ticket.citizen_channel,
        description=ticket.description[:SNIPPET],
        location_text=ticket.location_text,
        created_at=ticket.created_at.astimezone(LOCAL_TZ),
        due_at=ticket.due_at.astimezone(LOCAL_TZ),
        resolved_at=ticket.resolved_at.astimezone(LOCAL_TZ) if ticket.resolved_at else None,
        overdue=is_overdue(ticket.due_at, now, still_open),
        due_soon=soon,
        rating=ticket.rating_score,
        possible_duplicate_of=ticket.possible_duplicate_of.code if ticket.possible_duplicate_of else None,
    )


def _order(sort: Sort) -> list[Any]:
    column = SORTS[sort.field]
    return [column.desc(), Ticket.id.desc()] if sort.descending else [column.asc(), Ticket.id.asc()]


class TicketQueries:
    """Read-only queries of the console, always limited to what the principal may see."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        count_cap: int = DEFAULT_COUNT_CAP,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.count_cap = count_cap  # counts over the matching rows stop after this many (+1)

    def list(
        self, principal: Principal, flt: TicketFilter, sort: Sort, page: int = 1, page_size: int = 25
    ) -> TicketPage:
        """One page of the inbox, the total, and the counts per status (capped: see TicketPage)."""
        require(principal, TICKET_WORKERS, "list tickets")
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page must be ≥ 1 and page_size between 1 and {MAX_PAGE_SIZE}")
        now, scope = self.clock(), department_scope(principal)
        with self.session_factory() as session:
            where = conditions(session, flt, now, scope)
            statement = select(Ticket).where(*where).order_by(*_order(sort))
            rows = session.scalars(statement.offset((page - 1) * page_size).limit(page_size + 1)).unique()
            soon = due_soon_limit(session, now)
            items = [ticket_row(t, now, soon) for t in rows]
            apart = total_apart(self.session_factory, session, flt, where, self.count_cap)
            counts = status_counts(session, flt, now, scope, self.count_cap)
            total, total_capped = total_of(counts.found, flt.statuses), False
            if counts.capped and not flt.statuses:
                total, total_capped = self.count_cap, True
            elif counts.capped:  # the chosen statuses' total needs a (capped) count of its own
                total, total_capped = chosen_total(apart, session, flt, where, self.count_cap)
            elif apart is not None:
                apart.cancel()  # exact from the counts; if already running, it ends on its own
        return TicketPage(
            items[:page_size],
            total,
            page,
            page_size,
            per_status(counts.found),
            has_next=len(items) > page_size,
            total_capped=total_capped,
            counts_capped=counts.capped,
        )

    def rows_for_export(
        self, principal: Principal, flt: TicketFilter, sort: Sort, limit: int
    ) -> Iterator[TicketRow]:
        """Every filtered ticket the principal may export (up to `limit`), read in batches."""
        require(principal, EXPORTERS, "export tickets")
        return self._batches(department_scope(principal), flt, sort, limit)

    def _batches(self, scope: str | None, flt: TicketFilter, sort: Sort, limit: int) -> Iterator[TicketRow]:
        now, batch = self.clock(), 1000
        with self.session_factory() as session:
            statement = select(Ticket).where(*conditions(session, flt, now, scope)).order_by(*_order(sort))
            for offset in range(0, limit, batch):
                size = min(batch, limit - offset)
                tickets = session.scalars(statement.offset(offset).limit(size)).unique().all()
                yield from (ticket_row(t, now) for t in tickets)
                session.expunge_all()
                if len(tickets) < size:
                    return
