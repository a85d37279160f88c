"""The inbox counts per status: from the trigger-kept summary table when the filter allows, else
counted over the matching rows, stopping at a cap (a common free-text phrase matches ~50,000)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Integer, MetaData, String, Table, func, literal, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import Ticket
from backend.domain.lifecycle import Status
from backend.services.ticket_filters import TicketFilter, conditions

SUMMARY = Table(
    "ticket_status_counts",
    MetaData(),
    Column("status", String),
    Column("category_code", String),
    Column("department_code", String),
    Column("unit_code", String),  # '' for tickets without a unit
    Column("tickets", Integer),
)
_HAS_SUMMARY: dict[str, bool] = {}  # database URL → the summary table exists
DEFAULT_COUNT_CAP = 10_000  # count at most this many matching rows (+1, to know there are more)
_APART = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inbox-total")  # totals counted aside


@dataclass(frozen=True)
class StatusCounts:
    """Tickets per status; when `capped`, counting stopped after cap + 1 rows and every figure is a
    lower bound (the rows counted are whichever the scan met first, not a fair sample)."""

    found: dict[str, int]
    capped: bool = False


def _has_summary(session: Session) -> bool:
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    key = bind.engine.url.render_as_string(hide_password=True)
    if key not in _HAS_SUMMARY:
        found = session.scalar(text("SELECT to_regclass('ticket_status_counts') IS NOT NULL"))
        _HAS_SUMMARY[key] = bool(found)
    return _HAS_SUMMARY[key]


def summary_covers(flt: TicketFilter) -> bool:
    """Whether the filter (statuses aside) uses only category, unit and department."""
    timed = flt.overdue or flt.due_soon or flt.created_from or flt.created_to
    blank_unit = "" in flt.units  # the summary stores a missing unit as ''
    return not (timed or flt.codes or blank_unit or (flt.text and flt.text.strip()))


def status_counts(
    session: Session, flt: TicketFilter, now: datetime, scope: str | None, cap: int | None = None
) -> StatusCounts:
    """Tickets per status of the filter without its status part (unknown statuses kept): exact from
    the summary table, else counted over at most `cap` + 1 matching rows (all of them if no cap)."""
    if summary_covers(flt) and _has_summary(session):
        statement = _summary_counts(flt, scope)
    else:
        where = conditions(session, flt, now, scope, with_status=False)
        rows = select(Ticket.status).where(*where)
        if cap is not None:
            rows = rows.limit(cap + 1)
        matched = rows.subquery()
        statement = select(matched.c.status, func.count()).group_by(matched.c.status)
    found = {status: int(count) for status, count in session.execute(statement)}
    return StatusCounts(found, cap is not None and sum(found.values()) > cap)


def capped_count(session: Session, where: list[ColumnElement[bool]], cap: int) -> tuple[int, bool]:
    """(matching tickets, False), or (cap, True) when more than `cap` match; visits ≤ cap + 1 rows."""
    matched = select(literal(1)).select_from(Ticket).where(*where).limit(cap + 1).subquery()
    count = int(session.scalar(select(func.count()).select_from(matched)) or 0)
    return (cap, True) if count > cap else (count, False)


def total_apart(
    factory: sessionmaker[Session],
    session: Session,
    flt: TicketFilter,
    where: list[ColumnElement[bool]],
    cap: int,
) -> Future[tuple[int, bool]] | None:
    """Start the chosen statuses' capped count on another pooled connection (PostgreSQL), to run
    while the caller counts per status, when that count may end capped and leave the total to count:
    statuses chosen and counts over the matching rows. Two trigram bitmaps at once instead of one
    after the other. Wasted (run for nothing) when the counts per status end under the cap."""
    if not flt.statuses or summary_covers(flt) or session.get_bind().dialect.name != "postgresql":
        return None
    return _APART.submit(_count_apart, factory, flt, where, cap)


def _count_apart(
    factory: sessionmaker[Session], flt: TicketFilter, where: list[ColumnElement[bool]], cap: int
) -> tuple[int, bool]:
    with factory() as session:
        return _chosen_count(session, flt, where, cap)


def _chosen_count(
    session: Session, flt: TicketFilter, where: list[ColumnElement[bool]], cap: int
) -> tuple[int, bool]:
    """The chosen statuses' capped count. With free text, index scans are off for the rest of the
    transaction: under the LIMIT the planner would walk a status index and re-check the text on
    ~46,000 heap rows (open statuses at 1M: 118 ms) instead of AND-ing the status and trigram
    bitmaps (78 ms, most of it the trigram bitmap; run R in docs/benchmarks/console.md)."""
    if flt.text and flt.text.strip() and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_indexscan = off"))
    return capped_count(session, where, cap)


def chosen_total(
    apart: Future[tuple[int, bool]] | None,
    session: Session,
    flt: TicketFilter,
    where: list[ColumnElement[bool]],
    cap: int,
) -> tuple[int, bool]:
    """The capped count started by `total_apart`, or counted here when none was started, it has
    not started yet (the workers are busy), or it failed (e.g. no pooled connection in time)."""
    if apart is not None and not apart.cancel():
        try:
            return apart.result()
        except SQLAlchemyError:
            pass
    return _chosen_count(session, flt, where, cap)  # the page's last statement: SET LOCAL is harmless


def _summary_counts(flt: TicketFilter, scope: str | None) -> Any:
    where = [] if scope is None else [SUMMARY.c.department_code == scope]
    for column, values in (
        (SUMMARY.c.category_code, flt.categories),
        (SUMMARY.c.unit_code, flt.units),
        (SUMMARY.c.department_code, flt.departments),
    ):
        if values:
            where.append(column.in_(values))
    tickets = func.sum(SUMMARY.c.tickets)
    return select(SUMMARY.c.status, tickets).where(*where).group_by(SUMMARY.c.status).having(tickets > 0)


def per_status(found: dict[str, int]) -> dict[str, int]:
    """Every known status with its count (0 when absent)."""
    return {s.value: found.get(s.value, 0) for s in Status}


def total_of(found: dict[str, int], statuses: tuple[str, ...]) -> int:
    """The filter's total from its counts per status: the chosen statuses, or all."""
    if not statuses:
        return sum(found.values())
    return sum(found.get(s, 0) for s in set(statuses))
