"""The console's ticket filters as SQL conditions (shared by the inbox, CSV export and Open311)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text
from sqlalchemy.orm import Session

from backend.adapters.db.models import Ticket
from backend.adapters.db.reference_repository import SqlReferenceRepository
from backend.domain.lifecycle import OPEN_STATUSES
from backend.domain.sla import LOCAL_TZ
from backend.domain.text import strip_diacritics

OPEN = [s.value for s in OPEN_STATUSES]
MAX_TEXT = 200


@dataclass(frozen=True)
class TicketFilter:
    """Every filter of the inbox; empty tuples and None mean 'any'. Dates are local and inclusive."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    overdue: bool = False
    due_soon: bool = False
    created_from: date | None = None
    created_to: date | None = None
    text: str | None = None
    codes: tuple[str, ...] = ()


def local_day_start(day: date) -> datetime:
    """00:00 local time of a day."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def fold_text(value: str | None) -> str:
    """Lower case without diacritics (the Python twin of the SQL fold)."""
    return strip_diacritics(value or "").lower()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_text(code: str | None, description: str | None, location: str | None, area: str | None) -> str:
    """The Python twin of the SQL ioc_search_text(): what free text searches, folded."""
    return fold_text(" ".join(v or "" for v in (code, description, location, area)))


_POSTGRES_SEARCH: dict[str, str] = {}  # database URL → "column", "function" or "case"
SEARCH_FEATURES = text(
    "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = 'tickets' AND column_name = 'search_folded'),"
    " EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'ioc_search_text')"
)


def _search_mode(session: Session) -> str:
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    if key not in _POSTGRES_SEARCH:
        column, function = session.execute(SEARCH_FEATURES).one()
        _POSTGRES_SEARCH[key] = "column" if column else "function" if function else "case"
    return _POSTGRES_SEARCH[key]


def searchable(session: Session) -> Any:
    """The folded searchable text of a ticket, as SQL (the stored, trigram-indexed column on PostgreSQL)."""
    columns = (Ticket.code, Ticket.description, Ticket.location_text, Ticket.area_text)
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.driver_connection
        raw.create_function("ioc_search_text", 4, search_text, deterministic=True)  # type: ignore[union-attr]
        return func.ioc_search_text(*columns)
    mode = _search_mode(session)
    if mode == "column":
        return literal_column("tickets.search_folded")
    if mode == "function":
        return func.ioc_search_text(*columns)
    return func.lower(func.concat_ws(" ", *columns))  # no unaccent on this server: case only


def text_condition(session: Session, query: str) -> ColumnElement[bool]:
    """Free text over code, description, location and area, ignoring case and diacritics."""
    pattern = f"%{_escape_like(fold_text(query.strip()[:MAX_TEXT]))}%"
    return searchable(session).like(pattern, escape="\\")


def due_soon_limit(session: Session, now: datetime) -> datetime:
    """The end of the next working day: tickets due before it are 'due soon'."""
    today = now.astimezone(LOCAL_TZ).date()
    calendar = SqlReferenceRepository(session).calendar(today, today + timedelta(days=30))
    return calendar.due_at(now, 1)


def conditions(
    session: Session, flt: TicketFilter, now: datetime, scope: str | None, with_status: bool = True
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a filter; `scope` limits to one department (officers)."""
    where: list[ColumnElement[bool]] = []
    if scope is not None:
        where.append(Ticket.department_code == scope)
    if with_status and flt.statuses:
        where.append(Ticket.status.in_(flt.statuses))
    for column, values in (
        (Ticket.category_code, flt.categories),
        (Ticket.unit_code, flt.units),
        (Ticket.department_code, flt.departments),
        (Ticket.code, flt.codes),
    ):
        if values:
            where.append(column.in_(values))
    where.extend(_time_conditions(session, flt, now))
    if flt.text and flt.text.strip():
        where.append(text_condition(session, flt.text))
    return where


def _time_conditions(session: Session, flt: TicketFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.overdue:
        where.append(and_(Ticket.status.in_(OPEN), Ticket.due_at < now))
    if flt.due_soon:
        limit = due_soon_limit(session, now)
        where.append(and_(Ticket.status.in_(OPEN), Ticket.due_at >= now, Ticket.due_at <= limit))
    if flt.created_from:
        where.append(Ticket.created_at >= local_day_start(flt.created_from))
    if flt.created_to:
        where.append(Ticket.created_at < local_day_start(flt.created_to + timedelta(days=1)))
    return where


def filtered_tickets(where: list[ColumnElement[bool]]) -> Any:
    """SELECT tickets WHERE the conditions hold."""
    return select(Ticket).where(*where)
