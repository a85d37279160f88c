"""Dialect-specific SQL pieces of the statistics: time buckets and resolution hours."""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import Any

from sqlalchemy import Float, cast, func, literal_column
from sqlalchemy.orm import Session

from backend.adapters.db.models import Ticket

BUCKETS = ("day", "week", "month")
LOCAL_ZONE = "Asia/Ho_Chi_Minh"
SQLITE_LOCAL_OFFSET = "+7 hours"  # Vietnam has no daylight saving time


def is_postgres(session: Session) -> bool:
    """True on PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def resolution_hours(session: Session) -> Any:
    """Hours from creation to resolution (NULL while unresolved)."""
    if is_postgres(session):  # date_part gives a float; extract a numeric, several times slower
        return func.date_part("epoch", Ticket.resolved_at - Ticket.created_at) / 3600.0
    return (func.julianday(Ticket.resolved_at) - func.julianday(Ticket.created_at)) * 24.0


def median_hours(session: Session) -> Any | None:
    """The median resolution time as an aggregate, where the database has one (PostgreSQL)."""
    if not is_postgres(session):
        return None
    return func.percentile_cont(0.5).within_group(cast(resolution_hours(session), Float))


def bucket_of(session: Session, bucket: str) -> Any:
    """The local-time day, week (starting Monday) or month a ticket was created in, as text."""
    if is_postgres(session):
        local = func.timezone(LOCAL_ZONE, Ticket.created_at)
        return func.to_char(func.date_trunc(bucket, local), "YYYY-MM-DD")
    local = func.datetime(Ticket.created_at, SQLITE_LOCAL_OFFSET)
    if bucket == "day":
        return func.date(local)
    if bucket == "week":
        return func.date(local, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", local)


def python_median(values: Iterable[float | None]) -> float | None:
    """The median of the non-null values, or None."""
    present = [float(v) for v in values if v is not None]
    return median(present) if present else None


def nothing() -> Any:
    """A constant grouping key, for totals."""
    return literal_column("'all'")
