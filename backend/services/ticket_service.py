"""Citizen-facing use cases: file a ticket, look it up, list, rate, attach photos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from backend.adapters.db.models import Category, Ticket, TicketPhoto
from backend.adapters.media_store import AbstractMediaStore, StoredFile
from backend.domain import duplicates
from backend.domain.codes import format_code, parse_code
from backend.domain.errors import Conflict, InvalidInput, NotFound
from backend.domain.lifecycle import Status, can_rate
from backend.domain.sla import LOCAL_TZ
from backend.services.assignment import assign, category_or_error
from backend.services.commands import CreateTicket, Rate
from backend.services.lookup import find_ticket, view_with_reply
from backend.services.notifier import OutboxNotifier
from backend.services.unit_of_work import AbstractUnitOfWork
from backend.services.views import TicketView

CITIZEN = "citizen"
SYSTEM = "system"
# Coordinates must fall in Vietnam's bounding box (mainland and islands).
VIETNAM_BOUNDS = ((8.0, 24.0), (102.0, 118.0))


@dataclass(frozen=True)
class DuplicateRules:
    policy: duplicates.DuplicatePolicy
    window: timedelta


@dataclass(frozen=True)
class CreatedTicket:
    view: TicketView
    created: bool  # False when an earlier request with the same Idempotency-Key made it


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    """Both or neither, and inside Vietnam."""
    if (latitude is None) != (longitude is None):
        raise InvalidInput("latitude and longitude must be given together")
    if latitude is None or longitude is None:
        return
    (lat_min, lat_max), (lon_min, lon_max) = VIETNAM_BOUNDS
    if not (lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max):
        raise InvalidInput("coordinates are outside Vietnam")


def as_report(ticket: Ticket) -> duplicates.Report:
    """What duplicate detection compares."""
    return duplicates.Report(
        ticket.id,
        ticket.category_code,
        ticket.description,
        ticket.unit_code,
        ticket.latitude,
        ticket.longitude,
    )


class TicketService:
    """Use cases of the bot ↔ backend API."""

    def __init__(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        notifier: OutboxNotifier,
        media: AbstractMediaStore,
        duplicate_rules: DuplicateRules,
        clock: Callable[[], datetime],
        photo_max_count: int = 5,
    ) -> None:
        self.uow_factory = uow_factory
        self.notifier = notifier
        self.media = media
        self.duplicate_rules = duplicate_rules
        self.clock = clock
        self.photo_max_count = photo_max_count

    def create(self, command: CreateTicket) -> CreatedTicket:
        """File a ticket (routed, with a deadline and a 'received' notification); idempotent."""
        try:
            return self._create_once(command)
        except IntegrityError:
            # A concurrent request with the same Idempotency-Key won the race.
            existing = self._existing(command.idempotency_key)
            if existing is None:
                raise
            return existing

    def citizen_ticket(self, code: str, channel: str, user_id: str) -> TicketView:
        """The ticket if this citizen owns it; NotFound otherwise (same answer either way)."""
        parse_code(code)
        with self.uow_factory() as uow:
            ticket = self._owned(uow, code, channel, user_id)
            return self._view(uow, ticket)

    def citizen_tickets(self, channel: str, user_id: str) -> list[TicketView]:
        """A citizen's tickets, newest first."""
        with self.uow_factory() as uow:
            return [self._view(uow, t) for t in uow.tickets.for_citizen(channel, user_id)]

    def rate(self, command: Rate) -> TicketView:
        """Record the citizen's 1-5 rating of a resolved or closed ticket."""
        if not 1 <= command.score <= 5:
            raise InvalidInput("score must be between 1 and 5")
        parse_code(command.code)
        with self.uow_factory() as uow:
            ticket = self._owned(uow, command.code, command.channel, command.channel_user_id, lock=True)
            if not can_rate(ticket.status):
                raise Conflict("only a resolved or closed ticket can be rated")
            ticket.rating_score, ticket.rating_comment = command.score, command.comment
            ticket.rated_at = self.clock()
            uow.tickets.audit(ticket, CITIZEN, "rated", score=command.score, comment=command.comment)
            uow.commit()
            return self._view(uow, ticket)

    def add_photo(self, code: str, data: bytes) -> str:
        """Store an uploaded photo and attach it to a ticket; returns its public URL."""
        parse_code(code)
        stored = self.media.save(data)
        try:
            with self.uow_factory() as uow:
                ticket = self._get(uow, code, lock=True)
                self._attach(uow, ticket, [stored])
                uow.tickets.audit(ticket, SYSTEM, "photo_added", path=stored.path)
                uow.commit()
        except Exception:
            self.media.delete(stored.path)
            raise
        return self.media.url_of(stored.path)

    def _create_once(self, command: CreateTicket) -> CreatedTicket:
        existing = self._existing(command.idempotency_key)
        if existing:
            return existing
        check_coordinates(command.latitude, command.longitude)
        photos = [self.media.find(url) for url in command.photo_urls]
        with self.uow_factory() as uow:
            category = category_or_error(uow, command.category)
            ticket = self._new_ticket(uow, command, category)
            self._attach(uow, ticket, photos)
            original = self._original_of(uow, ticket)
            # The year's counter row stays locked until the commit: take the number last, so
            # concurrent creations only queue for the few INSERTs that follow.
            year = ticket.created_at.astimezone(LOCAL_TZ).year
            ticket.code = format_code(year, uow.tickets.next_number(year))
            uow.tickets.add(ticket)
            self._record_creation(uow, ticket, command, original)
            uow.commit()
            return CreatedTicket(self._view(uow, ticket), created=True)

    def _new_ticket(self, uow: AbstractUnitOfWork, command: CreateTicket, category: Category) -> Ticket:
        """The routed ticket, not yet numbered nor added to the session."""
        now = self.clock()
        place = uow.reference.gazetteer().resolve(command.area, command.location_text)
        assignment = assign(uow, category, place, now)
        contact = command.contact
        return Ticket(
            idempotency_key=command.idempotency_key,
            status=Status.ASSIGNED.value,
            category=category,
            category_code=category.code,  # set now too: the duplicate check reads it before the flush
            nlu_category=command.nlu_category,
            nlu_confidence=command.nlu_confidence,
            description=command.description,
            location_text=command.location_text,
            area_text=command.area,
            latitude=command.latitude,
            longitude=command.longitude,
            unit_code=place.unit_code if place else None,
            town_code=place.town_code if place else None,
            department=assignment.department,
            department_code=assignment.department.code,
            routing_match=assignment.matched,
            citizen_channel=contact.channel,
            citizen_user_id=contact.channel_user_id,
            citizen_name=contact.display_name,
            citizen_phone=contact.phone,
            due_at=assignment.due_at,
            created_at=now,
            updated_at=now,
        )

    def _record_creation(
        self, uow: AbstractUnitOfWork, ticket: Ticket, command: CreateTicket, original: Ticket | None
    ) -> None:
        uow.tickets.add_message(ticket, CITIZEN, command.description, command.contact.display_name)
        uow.tickets.audit(ticket, CITIZEN, "created", channel=command.contact.channel)
        uow.tickets.audit(
            ticket,
            SYSTEM,
            "routed",
            department=ticket.department_code,
            unit=ticket.unit_code,
            town=ticket.town_code,
            matched=ticket.routing_match,
            due_at=ticket.due_at.isoformat(),
        )
        uow.tickets.audit(ticket, SYSTEM, "status_changed", **{"from": "new", "to": ticket.status})
        if original:
            ticket.possible_duplicate_of = original
            uow.tickets.audit(ticket, SYSTEM, "possible_duplicate", original=original.code)
        # A new ticket has no subscribers yet: its owner is the only recipient.
        owner = (ticket.citizen_channel, ticket.citizen_user_id)
        self.notifier.notify_recipients(uow, ticket, "received", [owner])

    def _original_of(self, uow: AbstractUnitOfWork, ticket: Ticket) -> Ticket | None:
        """The open ticket this new one likely duplicates (read before the ticket is added)."""
        since = ticket.created_at - self.duplicate_rules.window
        open_tickets = {t.id: t for t in uow.tickets.open_since(ticket.category_code, since)}
        candidates = [as_report(t) for t in open_tickets.values()]
        original = duplicates.find_original(as_report(ticket), candidates, self.duplicate_rules.policy)
        return open_tickets[original.ticket_id] if original else None

    def _attach(self, uow: AbstractUnitOfWork, ticket: Ticket, files: list[StoredFile]) -> None:
        if len(ticket.photos) + len(files) > self.photo_max_count:
            raise InvalidInput(f"at most {self.photo_max_count} photos per ticket")
        for file in files:
            ticket.photos.append(
                TicketPhoto(path=file.path, content_type=file.content_type, size_bytes=file.size_bytes)
            )

    def _existing(self, key: str | None) -> CreatedTicket | None:
        if not key:
            return None
        with self.uow_factory() as uow:
            ticket = uow.tickets.by_idempotency_key(key)
            return CreatedTicket(self._view(uow, ticket), created=False) if ticket else None

    @staticmethod
    def _get(uow: AbstractUnitOfWork, code: str, lock: bool = False) -> Ticket:
        return find_ticket(uow, code, lock)

    def _owned(
        self, uow: AbstractUnitOfWork, code: str, channel: str, user_id: str, lock: bool = False
    ) -> Ticket:
        ticket = self._get(uow, code, lock)
        if (ticket.citizen_channel, ticket.citizen_user_id) != (channel, user_id):
            raise NotFound("not found")
        return ticket

    def _view(self, uow: AbstractUnitOfWork, ticket: Ticket) -> TicketView:
        return view_with_reply(uow, ticket, self.clock())
