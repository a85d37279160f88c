"""Finding a ticket and viewing it, shared by the citizen and official use cases."""

from __future__ import annotations

from datetime import datetime

from backend.adapters.db.models import Ticket
from backend.domain.codes import parse_code
from backend.domain.errors import NotFound
from backend.services.unit_of_work import AbstractUnitOfWork
from backend.services.views import TicketView, ticket_view


def find_ticket(uow: AbstractUnitOfWork, code: str, lock: bool = False) -> Ticket:
    """The ticket with this code (422 on a malformed code, NotFound if absent)."""
    parse_code(code)
    ticket = uow.tickets.get(code, for_update=lock)
    if ticket is None:
        raise NotFound("not found")
    return ticket


def view_with_reply(uow: AbstractUnitOfWork, ticket: Ticket, now: datetime) -> TicketView:
    """The public view, including the last official reply."""
    reply = uow.tickets.last_message(ticket, "official")
    return ticket_view(ticket, now, reply.body if reply else None)
