"""Dialect-specific SQL pieces of the statistics: time buckets and resolution hours."""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import Any

from sqlalchemy import Float, Select, cast, func, literal_column, select, text, tuple_
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


# The totals and the three breakdowns come from GROUPING SETS passes that run at the same time on
# connections of their own (medians need a sort per set): totals and category; department; unit.
METRIC_PASSES = ((None, Ticket.category_code), (Ticket.department_code,), (Ticket.unit_code,))
MORE_SORT_MEMORY = text("SET LOCAL work_mem = '32MB'")  # sorts and hash tables stay in memory
# The other breakdowns in one hashed pass: (bucket, category) 3, rating 13, channel 14.
BREAKDOWN_SET = {3: "by_time", 13: "csat", 14: "channels"}


def grouping_sets(columns: list[Any], groups: tuple[Any, ...]) -> tuple[Select[Any], dict[int, Any]]:
    """SELECT the columns per group (None: the totals; a column: per value of it), PostgreSQL; and
    which group each value of the `grouping` column stands for (a bit per column left out)."""
    keys = [key for key in groups if key is not None]
    every = (1 << len(keys)) - 1
    flags = {every & ~(1 << (len(keys) - 1 - i)): key for i, key in enumerate(keys)}
    totals = any(key is None for key in groups)
    sets = [tuple_(key) for key in keys] + ([tuple_()] if totals else [])
    if totals:
        flags[every] = None
    flag = func.grouping(*keys).label("grouping")
    return select(*keys, flag, *columns).group_by(func.grouping_sets(*sets)), flags


def breakdowns(bucket: str) -> Select[Any]:
    """Counts per (time bucket, category), per rating and per channel in one pass (PostgreSQL);
    the bucket is the local start of the day, week or month, a timestamp."""
    assert bucket in BUCKETS  # a literal in the SQL, so GROUP BY matches the SELECT
    local = func.timezone(literal_column(f"'{LOCAL_ZONE}'"), Ticket.created_at)
    start = func.date_trunc(literal_column(f"'{bucket}'"), local)
    keys = (start, Ticket.category_code, Ticket.rating_score, Ticket.citizen_channel)
    sets = func.grouping_sets(
        tuple_(start, Ticket.category_code), tuple_(Ticket.rating_score), tuple_(Ticket.citizen_channel)
    )
    flag = func.grouping(*keys).label("grouping")
    return select(start.label("bucket"), *keys[1:], flag, func.count().label("count")).group_by(sets)
