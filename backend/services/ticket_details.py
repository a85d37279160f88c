"""The console's ticket page: thread, photos, audit trail, SLA, duplicates, deliveries, contact."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import OutboxMessage, Ticket
from backend.adapters.db.outbox_repository import SqlOutboxRepository
from backend.adapters.db.ticket_repository import SqlTicketRepository
from backend.adapters.db.user_repository import SqlHandoffRepository
from backend.domain.access import TICKET_WORKERS, Principal, can_see_contact, can_see_ticket, require
from backend.domain.codes import parse_code
from backend.domain.errors import NotFound
from backend.domain.sla import LOCAL_TZ
from backend.services.ticket_queries import TicketRow, ticket_row


@dataclass(frozen=True)
class ContactView:
    channel: str
    channel_user_id: str
    display_name: str | None
    phone: str | None


@dataclass(frozen=True)
class TicketDetail:
    ticket_id: int  # the live stream's wake-up topic; never shown
    ticket: TicketRow
    full_description: str
    area_text: str | None
    latitude: float | None
    longitude: float | None
    nlu_category: str | None
    nlu_confidence: float | None
    resolution_text: str | None
    referral_text: str | None
    duplicate_of: str | None
    rating_comment: str | None
    sla_remaining_s: int | None  # negative when overdue; None once closed
    photos: list[str]
    thread: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    related: list[dict[str, str]]  # possible and confirmed duplicates
    handoff: dict[str, Any] | None
    contact_visible: bool


def visible_ticket(session: Session, principal: Principal, code: str) -> Ticket:
    """The ticket if the principal may see it; NotFound otherwise (same answer either way)."""
    require(principal, TICKET_WORKERS, "open tickets")
    parse_code(code)
    ticket = SqlTicketRepository(session).get(code)
    if ticket is None or not can_see_ticket(principal, ticket.department_code):
        raise NotFound("not found")
    return ticket


def _delivery(row: OutboxMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "channel": row.channel,
        "state": row.state,
        "attempts": row.attempts,
        "text": row.payload.get("text") if isinstance(row.payload, dict) else None,
        "created_at": row.created_at.astimezone(LOCAL_TZ),
        "delivered_at": row.delivered_at.astimezone(LOCAL_TZ) if row.delivered_at else None,
        "last_error": row.last_error,
    }


def _related(session: Session, ticket: Ticket) -> list[dict[str, str]]:
    related = []
    if ticket.possible_duplicate_of is not None:
        related.append({"code": ticket.possible_duplicate_of.code, "relation": "possible_duplicate_of"})
    statement = select(Ticket.code, Ticket.duplicate_of_id).where(
        or_(Ticket.possible_duplicate_of_id == ticket.id, Ticket.duplicate_of_id == ticket.id)
    )
    for code, duplicate_of_id in session.execute(statement.order_by(Ticket.id)):
        relation = "duplicate" if duplicate_of_id == ticket.id else "possible_duplicate"
        related.append({"code": code, "relation": relation})
    return related


class TicketDetails:
    """The ticket page's data, and the audited reveal of the citizen's contact."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        photo_url: Callable[[str], str],
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.photo_url = photo_url

    def detail(self, principal: Principal, code: str) -> TicketDetail:
        """Everything the console shows on a ticket's page, except the contact."""
        now = self.clock()
        with self.session_factory() as session:
            ticket = visible_ticket(session, principal, code)
            return self._detail(session, principal, ticket, now)

    def contact(self, principal: Principal, code: str) -> ContactView:
        """The citizen's contact; each view is written to the audit trail."""
        with self.session_factory() as session:
            ticket = visible_ticket(session, principal, code)
            if not can_see_contact(principal, ticket.department_code):
                raise NotFound("not found")
            SqlTicketRepository(session).audit(ticket, principal.actor, "contact_viewed")
            session.commit()
            return ContactView(
                ticket.citizen_channel, ticket.citizen_user_id, ticket.citizen_name, ticket.citizen_phone
            )

    def _detail(self, session: Session, principal: Principal, ticket: Ticket, now: datetime) -> TicketDetail:
        repo = SqlTicketRepository(session)
        handoff = SqlHandoffRepository(session).get(ticket.citizen_channel, ticket.citizen_user_id)
        row = ticket_row(ticket, now)
        return TicketDetail(
            ticket_id=ticket.id,
            ticket=row,
            full_description=ticket.description,
            area_text=ticket.area_text,
            latitude=ticket.latitude,
            longitude=ticket.longitude,
            nlu_category=ticket.nlu_category,
            nlu_confidence=ticket.nlu_confidence,
            resolution_text=ticket.resolution_text,
            referral_text=ticket.referral_text,
            duplicate_of=ticket.duplicate_of.code if ticket.duplicate_of else None,
            rating_comment=ticket.rating_comment,
            sla_remaining_s=int((ticket.due_at - now).total_seconds()) if row.status in OPEN_NAMES else None,
            photos=[self.photo_url(p.path) for p in ticket.photos],
            thread=[
                {
                    "author_kind": m.author_kind,
                    "author_name": None if m.author_kind == CITIZEN else m.author_name,
                    "body": m.body,
                    "created_at": m.created_at.astimezone(LOCAL_TZ),
                }
                for m in ticket.messages
            ],
            audit=[
                {"actor": a.actor, "action": a.action, "details": a.details, "at": a.at.astimezone(LOCAL_TZ)}
                for a in repo.audit_trail(ticket)
            ],
            deliveries=[_delivery(r) for r in SqlOutboxRepository(session).for_ticket(ticket.id)],
            related=_related(session, ticket),
            handoff=_handoff(handoff),
            contact_visible=can_see_contact(principal, ticket.department_code),
        )


CITIZEN = "citizen"  # the citizen's display name is contact data: shown only via contact()
OPEN_NAMES = frozenset({"new", "assigned", "in_progress"})


def _handoff(row: Any) -> dict[str, Any] | None:
    if row is None or not row.active:
        return None
    return {
        "official_username": row.official_username,
        "official_name": row.official_name,
        "started_at": row.started_at.astimezone(LOCAL_TZ),
    }
