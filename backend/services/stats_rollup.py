"""The dashboard's figures from the rollups (PostgreSQL, migration console_0007).

Additive figures are sums of the rollup rows over the period (stats_period); "overdue now" counts
the open tickets (a partial index); each median is exact: the per-bucket counts of resolution
times give the bucket and position of the middle rank(s), one query fetches just those buckets'
values (`ix_tickets_resolution_bucket`) and picks them, and the median is interpolated as
PostgreSQL's percentile_cont(0.5) does. Every read runs in one REPEATABLE READ snapshot, so the
counts and the tickets agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.services.stats_period import Period
from backend.services.ticket_filters import OPEN

BUCKETS = 106  # resolution-time buckets of ioc_resolution_bucket() (migration console_0007)
FIGURES = [
    "created", "open", "resolved", "on_time", "rated", "rating_sum",
    *(f"stars_{s}" for s in range(1, 6)),
    *(f"resolved_b{i:03d}" for i in range(BUCKETS)),
]  # fmt: skip
OPEN_SQL = "(" + ", ".join(f"'{status}'" for status in OPEN) + ")"  # literal: matches the partial index
# Small reads: no parallel workers (their start-up costs more than they save on two busy cores);
# the median bands are sorted in memory.
READ_SETTINGS = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '32MB'"
GROUPINGS = ("category_code", "unit_code", "department_code")


@dataclass
class Tally:
    """Additive figures of one group (the totals, a category, a unit or a department)."""

    count: int = 0
    open: int = 0
    resolved: int = 0
    on_time: int = 0
    rated: int = 0
    rating_sum: int = 0
    overdue_open: int = 0
    stars: list[int] = field(default_factory=lambda: [0] * 5)
    histogram: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    median: float | None = None

    def add(self, values: tuple[int, ...]) -> None:
        """Add one rollup row's sums (in the order of FIGURES)."""
        self.count += values[0]
        self.open += values[1]
        self.resolved += values[2]
        self.on_time += values[3]
        self.rated += values[4]
        self.rating_sum += values[5]
        self.stars = [a + b for a, b in zip(self.stars, values[6:11], strict=True)]
        self.histogram = [a + b for a, b in zip(self.histogram, values[11:], strict=True)]

    def middle(self) -> list[tuple[int, int]]:
        """(bucket, 1-based position in it) of the middle rank(s), as percentile_cont(0.5) reads them."""
        places, seen, bucket = [], 0, 0
        for rank in sorted({(self.resolved - 1) // 2, self.resolved // 2}):
            while seen + self.histogram[bucket] <= rank:
                seen += self.histogram[bucket]
                bucket += 1
            places.append((bucket, rank - seen + 1))
        return places


def _unit(code: str) -> str | None:
    return code or None  # the rollups keep unlocated tickets under ''


def snapshot(session: Session) -> None:
    """Start the session's reads: one REPEATABLE READ snapshot, READ_SETTINGS."""
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    session.execute(text(READ_SETTINGS))


def tallies(session: Session, period: Period, now: datetime) -> dict[str | None, dict[Any, Tally]]:
    """Per grouping (None: totals under 'all'; else a column of GROUPINGS) the tallies of its groups."""
    keys = ", ".join(GROUPINGS)
    rows, params = period.rollup_rows("figures", f"{keys}, {', '.join(FIGURES)}")
    found: dict[str | None, dict[Any, Tally]] = {None: {"all": Tally()}, **{g: {} for g in GROUPINGS}}
    sums = ", ".join(f"sum({figure})" for figure in FIGURES)
    statement = text(f"SELECT {keys}, {sums} FROM {rows} GROUP BY {keys}")
    for category, unit, department, *values in session.execute(statement, params):
        for grouping, key in zip((None, *GROUPINGS), ("all", category, _unit(unit), department), strict=True):
            found[grouping].setdefault(key, Tally()).add(tuple(int(v) for v in values))
    _add_overdue(session, period, now, found)
    _add_medians(session, period, found)
    return found


def _add_overdue(
    session: Session, period: Period, now: datetime, found: dict[str | None, dict[Any, Tally]]
) -> None:
    where, params = period.ticket_where()
    statement = text(
        f"SELECT {', '.join(GROUPINGS)}, count(*) FROM tickets WHERE {where}"
        f" AND status IN {OPEN_SQL} AND due_at < :now GROUP BY {', '.join(GROUPINGS)}"
    )
    for category, unit, department, n in session.execute(statement, {**params, "now": now}):
        for grouping, key in zip((None, *GROUPINGS), ("all", category, unit, department), strict=True):
            found[grouping][key].overdue_open += int(n)


def _code(key: Any) -> str:
    return "" if key in (None, "all") else str(key)  # as the median query's key columns give it


def _band(grouping: str) -> str:
    """The resolution times of the grouping's pairs: its buckets only, through the bucket index."""
    key = "" if grouping == "all" else f" AND p.key = coalesce(t.{grouping}, '')"
    return (
        f"SELECT p.pair, t.resolution_hours AS hours FROM tickets t JOIN pairs p"
        f" ON p.grouping = '{grouping}' AND p.bucket = t.resolution_bucket{key}"
        f" WHERE {{where}} AND t.resolution_bucket = ANY(CAST(:buckets_{grouping} AS smallint[]))"
    )


def _add_medians(session: Session, period: Period, found: dict[str | None, dict[Any, Tally]]) -> None:
    """Fetch the middle resolution times of every group in one pass over their buckets; interpolate."""
    pairs: dict[tuple[str, str, int], int] = {}  # (grouping, code, bucket) → pair number
    wanted: set[tuple[int, int]] = set()  # (pair, 1-based position in the pair's band)
    for grouping, groups in found.items():
        for key, tally in groups.items():
            for bucket, position in tally.middle() if tally.resolved else ():
                pair = pairs.setdefault((grouping or "all", _code(key), bucket), len(pairs))
                wanted.add((pair, position))
    if not wanted:
        return
    where, params = period.ticket_where()
    for (grouping, code, bucket), i in pairs.items():
        params.update({f"g{i}": grouping, f"k{i}": code, f"b{i}": bucket})
    params.update({f"w{i}": pair for i, (pair, _) in enumerate(wanted)})
    params.update({f"p{i}": position for i, (_, position) in enumerate(wanted)})
    for grouping in {grouping for grouping, _, _ in pairs}:
        params[f"buckets_{grouping}"] = sorted({b for g, _, b in pairs if g == grouping})
    bands = " UNION ALL ".join(_band(g).format(where=where) for g in sorted({g for g, _, _ in pairs}))
    statement = text(
        "WITH pairs(pair, grouping, key, bucket) AS (VALUES "
        + ", ".join(
            f"({i}, CAST(:g{i} AS text), CAST(:k{i} AS text), CAST(:b{i} AS smallint))"
            for i in pairs.values()
        )
        + "), wanted(pair, position) AS (VALUES "
        + ", ".join(f"(CAST(:w{i} AS int), CAST(:p{i} AS bigint))" for i in range(len(wanted)))
        + f"), matched AS ({bands})"
        " SELECT r.pair, r.position, r.hours FROM (SELECT pair, hours,"
        "  row_number() OVER (PARTITION BY pair ORDER BY hours) AS position FROM matched) r"
        " JOIN wanted USING (pair, position)"
    )
    hours = {(int(pair), int(position)): float(h) for pair, position, h in session.execute(statement, params)}
    for grouping, groups in found.items():
        for key, tally in groups.items():
            if tally.resolved:
                places = [pairs[(grouping or "all", _code(key), b)] for b, _ in tally.middle()]
                first, *second = (
                    hours[(pair, p)] for pair, (_, p) in zip(places, tally.middle(), strict=True)
                )
                tally.median = first + (second[0] - first) * 0.5 if second else first  # percentile_cont


def by_time(session: Session, period: Period, bucket: str) -> list[tuple[str, str, int]]:
    """(bucket start 'YYYY-MM-DD', category, tickets created) per non-empty pair, in time order."""
    rows, params = period.rollup_rows("figures", "day, category_code, created", monthly=bucket == "month")
    start = "day" if bucket == "day" else f"date_trunc('{bucket}', day)::date"
    statement = text(
        f"SELECT to_char({start}, 'YYYY-MM-DD'), category_code, sum(created) FROM {rows}"
        " GROUP BY 1, 2 HAVING sum(created) > 0 ORDER BY 1"
    )
    return [(name, category, int(n)) for name, category, n in session.execute(statement, params)]


def channels(session: Session, period: Period) -> dict[str, int]:
    """Tickets created per channel (non-empty only)."""
    rows, params = period.rollup_rows("channels", "channel, created")
    statement = text(f"SELECT channel, sum(created) FROM {rows} GROUP BY channel HAVING sum(created) > 0")
    return {channel: int(n) for channel, n in session.execute(statement, params)}


def grouped(found: dict[str | None, dict[Any, Tally]]) -> dict[str | None, dict[Any, Tally]]:
    """Without the groups left empty by deletions (the rollups keep zero rows)."""
    return {g: {k: t for k, t in groups.items() if t.count or k == "all"} for g, groups in found.items()}


def time_series(rows: list[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """Bucket → category → count, buckets in order."""
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for name, category, n in rows:
        series[name][category] = n
    return series
