"""Statistics for leaders and the IOC dashboard: counts, on-time %, overdue, median resolution
time, CSAT and channel mix, by category, unit, department and time bucket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backend.domain.access import STATS_READERS, Principal, require
from backend.domain.errors import InvalidInput
from backend.services import stats_direct, stats_figures, stats_rollup, stats_sql
from backend.services.stats_period import Period
from backend.services.ticket_filters import TicketFilter, conditions

ROLLUP_GROUPINGS = ("category_code", "unit_code", "department_code")


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

    def period(self) -> Period:
        """The same filter over the rollups."""
        keys = {"unit": self.unit, "category": self.category, "department": self.department}
        return Period(self.start, self.end, {k: v for k, v in keys.items() if v})


class Statistics:
    """Aggregates over the tickets matching a StatsQuery."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def compute(self, principal: Principal, query: StatsQuery) -> dict[str, Any]:
        """Every figure of the dashboard for the query: from the daily rollups on PostgreSQL, from
        the tickets elsewhere (the same figures)."""
        require(principal, STATS_READERS, "read statistics")
        now = self.clock()
        with self.session_factory() as session:
            if stats_sql.is_postgres(session):
                return figures_from_rollups(session, query, now)
            return figures_from_tickets(session, query, now)


def figures_from_tickets(session: Session, query: StatsQuery, now: datetime) -> dict[str, Any]:
    """The figures computed from the tickets themselves (SQLite; the reference on PostgreSQL)."""
    where = conditions(session, query.as_filter(), now, None)
    return stats_direct.figures_from_tickets(session, where, now, query.bucket)


def figures_from_rollups(session: Session, query: StatsQuery, now: datetime) -> dict[str, Any]:
    """The figures from the daily rollups (PostgreSQL), read in one snapshot; medians exact."""
    stats_rollup.snapshot(session)
    period = query.period()
    found = stats_rollup.grouped(stats_rollup.tallies(session, period, now))
    groups = {key: {code: _metrics(t) for code, t in tallies.items()} for key, tallies in found.items()}
    series = stats_rollup.time_series(stats_rollup.by_time(session, period, query.bucket))
    stars = found[None]["all"].stars
    rest = {
        "by_time": [stats_figures.time_bucket(name, counts) for name, counts in series.items()],
        "csat_distribution": stats_figures.csat_distribution({s: stars[s - 1] for s in range(1, 6)}),
        "channels": stats_figures.channel_mix(stats_rollup.channels(session, period)),
    }
    return stats_figures.figures(groups, None, ROLLUP_GROUPINGS, session, rest)


def _metrics(tally: stats_rollup.Tally) -> dict[str, Any]:
    average = tally.rating_sum / tally.rated if tally.rated else None
    row = {**vars(tally), "csat_average": average, "csat_count": tally.rated}
    return stats_figures.metrics(row, tally.median)
