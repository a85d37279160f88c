"""Statistics for leaders and the IOC dashboard: counts, on-time %, overdue, median resolution
time, CSAT and channel mix, by category, unit, department and time bucket (GROUP BY in SQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import Category, Department, Ticket, Unit
from backend.domain.access import STATS_READERS, Principal, require
from backend.domain.errors import InvalidInput
from backend.services import stats_sql
from backend.services.ticket_filters import OPEN, TicketFilter, conditions


@dataclass(frozen=True)
class StatsQuery:
    start: date | None = None
    end: date | None = None
    unit: str | None = None
    category: str | None = None
    department: str | None = None
    bucket: str = "day"

    def __post_init__(self) -> None:
        if self.bucket not in stats_sql.BUCKETS:
            raise InvalidInput(f"bucket must be one of {', '.join(stats_sql.BUCKETS)}")
        if self.start and self.end and self.start > self.end:
            raise InvalidInput("'from' must not be after 'to'")

    def as_filter(self) -> TicketFilter:
        """The ticket filter behind these statistics."""
        one = lambda v: (v,) if v else ()  # noqa: E731
        return TicketFilter(
            categories=one(self.category),
            units=one(self.unit),
            departments=one(self.department),
            created_from=self.start,
            created_to=self.end,
        )


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return round(float(value), digits) if value is not None else None


GROUP_KEYS = (None, Ticket.category_code, Ticket.unit_code, Ticket.department_code)
NAME_COLUMNS: dict[Any, Any] = {
    Category: (Category.code, Category.name_vi),
    Unit: (Unit.code, Unit.name),
    Department: (Department.code, Department.name),
}


def _names(session: Session) -> dict[Any, dict[str, str]]:
    """Code → name of every category, unit and department (small reference tables)."""
    return {
        model: dict(session.execute(select(*columns)).tuples().all())
        for model, columns in NAME_COLUMNS.items()
    }


def _named(groups: dict[Any, dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    items = [{"code": code, "name": names.get(code) if code else None, **m} for code, m in groups.items()]
    return sorted(items, key=lambda item: (-item["count"], item["code"] or ""))


def _bucket(name: str, by_category: dict[str, int]) -> dict[str, Any]:
    return {"bucket": name, "count": sum(by_category.values()), "by_category": by_category}


class Statistics:
    """Aggregates over the tickets matching a StatsQuery."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def compute(self, principal: Principal, query: StatsQuery) -> dict[str, Any]:
        """Every figure of the dashboard for the query."""
        require(principal, STATS_READERS, "read statistics")
        now = self.clock()
        with self.session_factory() as session:
            where = conditions(session, query.as_filter(), now, None)
            if not stats_sql.is_postgres(session):
                return self._portable(session, where, now, query.bucket)
        return self._concurrent(where, now, query.bucket)

    def _concurrent(self, where: list[ColumnElement[bool]], now: datetime, bucket: str) -> dict[str, Any]:
        """PostgreSQL: three passes at the same time, each on a connection of its own."""
        jobs: list[Callable[[Session], Any]] = [
            partial(self._metric_pass, where=where, now=now, groups=groups)
            for groups in stats_sql.METRIC_PASSES
        ]
        jobs.append(partial(self._breakdown_pass, where=where, bucket=bucket))
        with ThreadPoolExecutor(len(jobs), thread_name_prefix="stats") as pool:
            *passes, (breakdown, names) = list(pool.map(self._in_session, jobs))
        groups: dict[Any, dict[Any, dict[str, Any]]] = {key: {} for key in GROUP_KEYS}
        for found in passes:
            for key, values in found.items():
                groups[key].update(values)
        return {
            "totals": groups[None].get("all", self._empty()),
            "by_category": _named(groups[Ticket.category_code], names[Category]),
            "by_unit": _named(groups[Ticket.unit_code], names[Unit]),
            "by_department": _named(groups[Ticket.department_code], names[Department]),
            **breakdown,
        }

    def _in_session(self, job: Callable[[Session], Any]) -> Any:
        with self.session_factory() as session:
            return job(session)

    def _metric_pass(
        self, session: Session, where: list[ColumnElement[bool]], now: datetime, groups: tuple[Any, ...]
    ) -> dict[Any, dict[Any, dict[str, Any]]]:
        """Metrics with medians for some of the groups (totals, per category, unit, department)."""
        session.execute(stats_sql.MORE_SORT_MEMORY)
        found: dict[Any, dict[Any, dict[str, Any]]] = {key: {} for key in groups}
        statement, flags = stats_sql.grouping_sets(self._metric_columns(session, now), groups)
        for row in session.execute(statement.where(*where)).mappings():
            key = flags[row["grouping"]]
            value = row[key.key] if key is not None else "all"
            found[key][value] = self._row(row, row["median"])
        return found

    @staticmethod
    def _breakdown_pass(
        session: Session, where: list[ColumnElement[bool]], bucket: str
    ) -> tuple[dict[str, Any], dict[Any, dict[str, str]]]:
        """Tickets over time by category, the CSAT distribution and the channel mix; the names."""
        times: dict[datetime, dict[str, int]] = defaultdict(dict)
        scores: dict[int, int] = {}
        channels: dict[str, int] = {}
        session.execute(stats_sql.MORE_SORT_MEMORY)  # all three sets hashed, no sort spilling to disk
        for row in session.execute(stats_sql.breakdowns(bucket).where(*where)).mappings():
            kind, count = stats_sql.BREAKDOWN_SET[row["grouping"]], int(row["count"])
            if kind == "by_time":
                times[row["bucket"]][row["category_code"]] = count
            elif kind == "csat" and row["rating_score"] is not None:
                scores[int(row["rating_score"])] = count
            elif kind == "channels":
                channels[row["citizen_channel"]] = count
        breakdown = {
            "by_time": [_bucket(start.strftime("%Y-%m-%d"), times[start]) for start in sorted(times)],
            "csat_distribution": {str(score): scores.get(score, 0) for score in range(1, 6)},
            "channels": [
                {"channel": channel, "count": count}
                for channel, count in sorted(channels.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
        return breakdown, _names(session)

    def _portable(
        self, session: Session, where: list[ColumnElement[bool]], now: datetime, bucket: str
    ) -> dict[str, Any]:
        """Other databases (SQLite): one query per figure, medians in Python."""
        groups = {key: self._metrics(session, where, key, now) for key in GROUP_KEYS}
        names = _names(session)
        return {
            "totals": groups[None].get("all", self._empty()),
            "by_category": _named(groups[Ticket.category_code], names[Category]),
            "by_unit": _named(groups[Ticket.unit_code], names[Unit]),
            "by_department": _named(groups[Ticket.department_code], names[Department]),
            "by_time": self._by_time(session, where, bucket),
            "csat_distribution": self._csat(session, where),
            "channels": self._channels(session, where),
        }

    @staticmethod
    def _metric_columns(session: Session, now: datetime) -> list[Any]:
        is_open = Ticket.status.in_(OPEN)
        resolved = Ticket.resolved_at.is_not(None)
        columns = [
            func.count().label("count"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((resolved, 1), else_=0)).label("resolved"),
            func.sum(case((and_(resolved, Ticket.resolved_at <= Ticket.due_at), 1), else_=0)).label(
                "on_time"
            ),
            func.sum(case((and_(is_open, Ticket.due_at < now), 1), else_=0)).label("overdue_open"),
            func.avg(Ticket.rating_score).label("csat_average"),
            func.count(Ticket.rating_score).label("csat_count"),
        ]
        median = stats_sql.median_hours(session)
        return columns if median is None else [*columns, median.label("median")]

    def _metrics(
        self, session: Session, where: list[ColumnElement[bool]], key: Any | None, now: datetime
    ) -> dict[Any, dict[str, Any]]:
        """Metrics per value of `key` (None: one group named 'all')."""
        label = (key if key is not None else stats_sql.nothing()).label("key")
        columns = [label, *self._metric_columns(session, now)]
        median = stats_sql.median_hours(session)
        statement = select(*columns).where(*where)
        if key is not None:
            statement = statement.group_by(key)
        rows = session.execute(statement).mappings().all()
        medians = self._python_medians(session, where, key) if median is None else {}
        return {row["key"]: self._row(row, medians.get(row["key"], row.get("median"))) for row in rows}

    @staticmethod
    def _python_medians(
        session: Session, where: list[ColumnElement[bool]], key: Any | None
    ) -> dict[Any, Any]:
        hours = stats_sql.resolution_hours(session)
        key = key if key is not None else stats_sql.nothing()
        statement = select(key, hours).where(*where, Ticket.resolved_at.is_not(None))
        values: dict[Any, list[float]] = defaultdict(list)
        for group, value in session.execute(statement):
            values[group].append(value)
        return {group: stats_sql.python_median(v) for group, v in values.items()}

    @staticmethod
    def _row(row: Any, median: float | None) -> dict[str, Any]:
        resolved, on_time = int(row["resolved"] or 0), int(row["on_time"] or 0)
        return {
            "count": int(row["count"]),
            "open": int(row["open"] or 0),
            "resolved": resolved,
            "on_time": on_time,
            "on_time_pct": _pct(on_time, resolved),
            "overdue_open": int(row["overdue_open"] or 0),
            "median_resolution_hours": _round(median),
            "csat_average": _round(row["csat_average"]),
            "csat_count": int(row["csat_count"] or 0),
        }

    def _empty(self) -> dict[str, Any]:
        zero = {"count": 0, "open": 0, "resolved": 0, "on_time": 0, "overdue_open": 0, "csat_count": 0}
        return self._row({**zero, "csat_average": None}, None)

    @staticmethod
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
        return [_bucket(name, counts) for name, counts in buckets.items()]

    @staticmethod
    def _csat(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
        statement = (
            select(Ticket.rating_score, func.count())
            .where(*where, Ticket.rating_score.is_not(None))
            .group_by(Ticket.rating_score)
        )
        found = {int(score): int(count) for score, count in session.execute(statement)}
        return {str(score): found.get(score, 0) for score in range(1, 6)}

    @staticmethod
    def _channels(session: Session, where: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
        statement = (
            select(Ticket.citizen_channel, func.count())
            .where(*where)
            .group_by(Ticket.citizen_channel)
            .order_by(func.count().desc())
        )
        return [{"channel": channel, "count": int(count)} for channel, count in session.execute(statement)]
