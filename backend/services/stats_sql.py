"""Dialect-specific SQL pieces of the statistics: time buckets and resolution hours."""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import Any

from sqlalchemy import Float, Select, cast, func, literal_column, select, text
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
    if is_postgres(session):
        return func.extract("epoch", Ticket.resolved_at - Ticket.created_at) / 3600.0
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


# One pass for the totals and the three breakdowns; grouping() tells the sets apart
# (a bit per column left out of the set: category 4, unit 2, department 1).
GROUPING_SETS = "GROUPING SETS ((), (category_code), (unit_code), (department_code))"
GROUPING_SET = {7: 0, 3: 1, 5: 2, 6: 3}  # grouping() → index of (None, category, unit, department)
MORE_SORT_MEMORY = text("SET LOCAL work_mem = '32MB'")  # per-group medians sort in memory


def grouping_sets(columns: list[Any]) -> Select[Any]:
    """SELECT the columns per grouping set of category, unit and department (PostgreSQL)."""
    keys = (Ticket.category_code, Ticket.unit_code, Ticket.department_code)
    flag = func.grouping(*keys).label("grouping")
    return select(*keys, flag, *columns).group_by(text(GROUPING_SETS))
