"""Read models returned by the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.adapters.db.models import Ticket
from backend.domain.lifecycle import STATUS_VI, Status, is_open
from backend.domain.sla import LOCAL_TZ, is_overdue


@dataclass(frozen=True)
class NamedRef:
    code: str
    name: str


@dataclass(frozen=True)
class TicketView:
    """What the citizen (and the bot) may see of a ticket."""

    code: str
    status: str
    status_vi: str
    category: str
    category_name: str
    department: NamedRef
    unit: NamedRef | None
    due_at: datetime
    overdue: bool
    created_at: datetime
    last_reply: str | None
    possible_duplicate_of: str | None
    duplicate_of: str | None
    rating: int | None


def ticket_view(ticket: Ticket, now: datetime, last_reply: str | None = None) -> TicketView:
    """Build the public view of a loaded ticket."""
    unit = NamedRef(ticket.unit.code, ticket.unit.name) if ticket.unit else None
    return TicketView(
        code=ticket.code,
        status=ticket.status,
        status_vi=STATUS_VI[Status(ticket.status)],
        category=ticket.category_code,
        category_name=ticket.category.name_vi,
        department=NamedRef(ticket.department.code, ticket.department.name),
        unit=unit,
        due_at=ticket.due_at.astimezone(LOCAL_TZ),
        overdue=is_overdue(ticket.due_at, now, is_open(ticket.status)),
        created_at=ticket.created_at.astimezone(LOCAL_TZ),
        last_reply=last_reply,
        possible_duplicate_of=ticket.possible_duplicate_of.code if ticket.possible_duplicate_of else None,
        duplicate_of=ticket.duplicate_of.code if ticket.duplicate_of else None,
        rating=ticket.rating_score,
    )
