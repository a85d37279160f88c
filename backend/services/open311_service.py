"""Open311 GeoReport v2 over the tickets: services are the categories, service requests the
tickets. Contact details are accepted on creation but never returned. Readers without an API key
get the public record only, and never a ticket of a confidential category (open311_records)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import AuditEntry, Category, Ticket, Town
from backend.adapters.db.ticket_repository import SqlTicketRepository
from backend.adapters.media_store import AbstractMediaStore
from backend.domain.errors import InvalidInput, NotFound
from backend.domain.notifications import format_due
from backend.services.commands import Contact, CreateTicket
from backend.services.open311_records import full_record, public_record
from backend.services.ticket_service import TicketService

CHANNEL = "open311"
MEDIA_ACTION = "open311_media_url"
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
NOTICE = "Phản ánh đã được chuyển đến {department}. Thời hạn xử lý: {due}."


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None  # open or closed
    full: bool = False  # an API-key client: every ticket, every field


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name_vi,
        "description": f"{category.name_vi} (thời hạn xử lý {category.sla_working_days} ngày làm việc)",
        "metadata": False,
        "type": "realtime",
        "keywords": category.intent,
        "group": "Phản ánh hiện trường",
    }


def _text(form: Mapping[str, str], name: str, limit: int = 200) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    return value or None


def _coordinate(form: Mapping[str, str], name: str) -> float | None:
    value = _text(form, name, 40)
    try:
        return float(value) if value is not None else None
    except ValueError:
        raise InvalidInput(f"{name} must be a decimal number") from None


class Open311Service:
    """GeoReport v2 on top of the ticket service."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        tickets: TicketService,
        media: AbstractMediaStore,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.tickets = tickets
        self.media = media
        self.clock = clock

    def services(self) -> list[dict[str, Any]]:
        """Every category as a GeoReport service."""
        with self.session_factory() as session:
            return [_service(c) for c in session.scalars(select(Category).order_by(Category.code))]

    def definition(self, code: str) -> dict[str, Any]:
        """A service definition (no extra attributes)."""
        with self.session_factory() as session:
            if session.get(Category, code) is None:
                raise NotFound(f"unknown service_code: {code}")
        return {"service_code": code, "attributes": []}

    def create(self, form: Mapping[str, str]) -> dict[str, Any]:
        """File a service request; returns the GeoReport creation answer."""
        command, external_media = self._command(form)
        view = self.tickets.create(command).view
        if external_media:
            self._remember_media(view.code, external_media)
        notice = NOTICE.format(department=view.department.name, due=format_due(view.due_at))
        return {"service_request_id": view.code, "service_notice": notice, "account_id": None}

    def requests(self, query: RequestQuery) -> list[dict[str, Any]]:
        """Service requests matching the GeoReport filters, newest first (at most 1000)."""
        with self.session_factory() as session:
            statement = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
            statement = self._filtered(statement, query).limit(MAX_RESULTS)
            tickets = session.scalars(statement).unique().all()
            if not query.full:
                towns = {code: name for code, name in session.execute(select(Town.code, Town.name))}
                return [public_record(t, towns.get(t.town_code or "")) for t in tickets]
            media = self._media_urls(session, [t.id for t in tickets])
            return [full_record(t, self._photo(t) or media.get(t.id)) for t in tickets]

    def request(self, code: str, full: bool = False) -> list[dict[str, Any]]:
        """One service request, as a one-element list (as the spec answers); a confidential one
        is not found without an API key, like a code that does not exist."""
        found = self.requests(RequestQuery(ids=(code,), full=full))
        if not found:
            raise NotFound(f"service request not found: {code}")
        return found

    def _filtered(self, statement: Any, query: RequestQuery) -> Any:
        if not query.full:
            confidential = select(Category.code).where(Category.confidential)
            statement = statement.where(Ticket.category_code.not_in(confidential))
        if query.ids:
            return statement.where(Ticket.code.in_(query.ids))
        if query.service_codes:
            statement = statement.where(Ticket.category_code.in_(query.service_codes))
        end = query.end or self.clock()
        start = query.start or end - DEFAULT_WINDOW
        statement = statement.where(Ticket.created_at >= start, Ticket.created_at <= end)
        if query.status == "open":
            statement = statement.where(Ticket.status.in_(["new", "assigned", "in_progress"]))
        elif query.status == "closed":
            statement = statement.where(Ticket.status.not_in(["new", "assigned", "in_progress"]))
        return statement

    def _photo(self, ticket: Ticket) -> str | None:
        return self.media.url_of(ticket.photos[0].path) if ticket.photos else None

    def _command(self, form: Mapping[str, str]) -> tuple[CreateTicket, str | None]:
        description = _text(form, "description", MAX_DESCRIPTION)
        service_code = _text(form, "service_code", 40)
        lat, long = _coordinate(form, "lat"), _coordinate(form, "long")
        address = _text(form, "address_string", 500)
        if not service_code:
            raise InvalidInput("service_code is required")
        if not description:
            raise InvalidInput("description is required")
        if (lat is None or long is None) and not address and not _text(form, "address_id"):
            raise InvalidInput("a location is required: lat and long, or address_string")
        media_url = _text(form, "media_url", 500)
        if media_url and not media_url.startswith(("http://", "https://")):
            raise InvalidInput("media_url must be an http(s) URL")
        ours = bool(media_url and media_url.startswith(self.media.public_base_url + "/media/"))
        command = CreateTicket(
            category=service_code,
            description=description,
            contact=self._contact(form),
            location_text=address,
            area=address,
            latitude=lat,
            longitude=long,
            photo_urls=[media_url] if ours and media_url else [],
        )
        return command, (media_url if not ours else None)

    @staticmethod
    def _contact(form: Mapping[str, str]) -> Contact:
        identity = next(
            (_text(form, k) for k in ("email", "account_id", "device_id", "phone") if _text(form, k)),
            None,
        )
        names = [_text(form, "first_name"), _text(form, "last_name")]
        return Contact(
            channel=CHANNEL,
            channel_user_id=identity or f"anonymous-{uuid.uuid4().hex}",
            display_name=" ".join(n for n in names if n) or None,
            phone=_text(form, "phone", 30),
        )

    def _remember_media(self, code: str, url: str) -> None:
        with self.session_factory() as session:
            repo = SqlTicketRepository(session)
            ticket = repo.get(code)
            if ticket is not None:
                repo.audit(ticket, CHANNEL, MEDIA_ACTION, url=url)
                session.commit()

    @staticmethod
    def _media_urls(session: Session, ticket_ids: list[int]) -> dict[int, str]:
        if not ticket_ids:
            return {}
        statement = select(AuditEntry.ticket_id, AuditEntry.details).where(
            AuditEntry.ticket_id.in_(ticket_ids), AuditEntry.action == MEDIA_ACTION
        )
        return {tid: str(details.get("url")) for tid, details in session.execute(statement)}
