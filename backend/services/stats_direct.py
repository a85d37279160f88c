"""The dashboard's figures computed from the tickets themselves, one query per figure: the path on
SQLite (medians in Python) and the reference the PostgreSQL rollups are checked against (medians by
percentile_cont there)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from backend.adapters.db.models import Ticket
from backend.services import stats_figures, stats_sql
from backend.services.ticket_filters import OPEN

GROUP_KEYS = (None, Ticket.category_code, Ticket.unit_code, Ticket.department_code)


def figures_from_tickets(
    session: Session, where: list[ColumnElement[bool]], now: datetime, bucket: str
) -> dict[str, Any]:
    """Every figure of the dashboard for the tickets matching `where`."""
    groups = {key: _metrics(session, where, key, now) for key in GROUP_KEYS}
    rest = {
        "by_time": _by_time(session, where, bucket),
        "csat_distribution": _csat(session, where),
        "channels": _channels(session, where),
    }
    return stats_figures.figures(groups, None, GROUP_KEYS[1:], session, rest)


def _metric_columns(session: Session, now: datetime) -> list[Any]:
    is_open = Ticket.status.in_(OPEN)
    resolved = Ticket.resolved_at.is_not(None)
    columns = [
        func.count().label("count"),
        func.sum(case((is_open, 1), else_=0)).label("open"),
        func.sum(case((resolved, 1), else_=0)).label("resolved"),
        func.sum(case((and_(resolved, Ticket.resolved_at <= Ticket.due_at), 1), else_=0)).label("on_time"),
        func.sum(case((and_(is_open, Ticket.due_at < now), 1), else_=0)).label("overdue_open"),
        func.avg(Ticket.rating_score).label("csat_average"),
        func.count(Ticket.rating_score).label("csat_count"),
    ]
    median = stats_sql.median_hours(session)
    return columns if median is None else [*columns, median.label("median")]


def _metrics(
    session: Session, where: list[ColumnElement[bool]], key: Any | None, now: datetime
) -> dict[Any, dict[str, Any]]:
    """Metrics per value of `key` (None: one group named 'all')."""
    label = (key if key is not None else stats_sql.nothing()).label("key")
    statement = select(label, *_metric_columns(session, now)).where(*where)
    if key is not None:
        statement = statement.group_by(key)
    rows = session.execute(statement).mappings().all()
    medians = _python_medians(session, where, key) if stats_sql.median_hours(session) is None else {}
    return {
        row["key"]: stats_figures.metrics(row, medians.get(row["key"], row.get("median"))) for row in rows
    }


def _python_medians(session: Session, where: list[ColumnElement[bool]], key: Any | None) -> dict[Any, Any]:
    hours = stats_sql.resolution_hours(session)
    key = key if key is not None else stats_sql.nothing()
    statement = select(key, hours).where(*where, Ticket.resolved_at.is_not(None))
    values: dict[Any, list[float]] = defaultdict(list)
    for group, value in session.execute(statement):
        values[group].append(value)
    return {group: stats_sql.python_median(v) for group, v in values.items()}


def _by_time(session: Session, where: list[ColumnElement[bool]], bucket: str) -> list[dict[str, Any]]:
    key = stats_sql.bucket_of(session, bucket)
    statement = (
        select(key.label("bucket"), Ticket.category_code, func.count())
        .where(*where)
        .group_by(key, Ticket.category_code)
        .order_by(key)
    )
    buckets: dict[str, dict[str, int]] = defaultdict(dict)
    for name, category, count in session.execute(statement):
        buckets[str(name)][category] = int(count)
    return [stats_figures.time_bucket(name, counts) for name, counts in buckets.items()]


def _csat(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
    statement = (
        select(Ticket.rating_score, func.count())
        .where(*where, Ticket.rating_score.is_not(None))
        .group_by(Ticket.rating_score)
    )
    return stats_figures.csat_distribution({int(s): int(n) for s, n in session.execute(statement)})


def _channels(session: Session, where: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
    statement = select(Ticket.citizen_channel, func.count()).where(*where).group_by(Ticket.citizen_channel)
    return stats_figures.channel_mix({channel: int(n) for channel, n in session.execute(statement)})
