"""The dashboard's figures from the rollups (PostgreSQL, migrations console_0007 and 0008).

Additive figures are sums of the rollup rows over the period (stats_period); "overdue now" counts
the open tickets (a partial index); each median is exact: the per-bucket counts of resolution
times give the bucket and position of the middle rank(s) in each group, one statement reads each
of those (group, bucket) bands in resolution-time order up to the wanted position (`OFFSET …
LIMIT …` over an index per grouping, console_0008; for short periods the planner reads the
period's part of the bucket and sorts it), and the median is interpolated as PostgreSQL's
percentile_cont(0.5) does. Every read runs in one REPEATABLE READ snapshot, so the counts and the
tickets agree.
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


Band = tuple[str, str, int]  # (grouping or "all", group code, bucket): one group's tickets in one bucket


def _wanted(found: dict[str | None, dict[Any, Tally]]) -> dict[Band, list[int]]:
    """The 1-based positions of the middle rank(s) in each band that holds one."""
    wanted: dict[Band, list[int]] = defaultdict(list)
    for grouping, groups in found.items():
        for key, tally in groups.items():
            for bucket, position in tally.middle() if tally.resolved else ():
                wanted[(grouping or "all", _code(key), bucket)].append(position)
    return wanted


def _picked(grouping: str, code: str) -> str:
    """How a band's tickets are picked out of its bucket (the unlocated ones have no unit)."""
    if grouping == "all":
        return ""
    return f" AND t.{grouping} = w.code" if code else f" AND t.{grouping} IS NULL"


def _read(picked: str, rows: list[str], where: str) -> str:
    """The bands `rows` (band, code, bucket, skip, take), each read in resolution-time order."""
    return (
        f"SELECT w.band, r.hours FROM (VALUES {', '.join(rows)}) AS w(band, code, bucket, skip, take)"
        f" CROSS JOIN LATERAL (SELECT t.resolution_hours AS hours FROM tickets t WHERE {where}"
        f" AND t.resolution_bucket = w.bucket{picked} ORDER BY 1 OFFSET w.skip LIMIT w.take) r"
    )


def _read_bands(
    session: Session, period: Period, wanted: dict[Band, list[int]]
) -> dict[Band, dict[int, float]]:
    """Each band's resolution times at the wanted positions: one statement, one lateral read per way
    of picking (so few plans; the planner sees the period and picks the ordered index or a sort)."""
    where, params = period.ticket_where()
    firsts = [min(positions) for positions in wanted.values()]
    rows: dict[str, list[str]] = defaultdict(list)
    for i, ((grouping, code, bucket), positions) in enumerate(wanted.items()):
        params.update({f"k{i}": code, f"b{i}": bucket, f"o{i}": firsts[i] - 1})
        params[f"n{i}"] = max(positions) - firsts[i] + 1
        casts = f"CAST(:k{i} AS text), CAST(:b{i} AS smallint), CAST(:o{i} AS int), CAST(:n{i} AS int)"
        rows[_picked(grouping, code)].append(f"({i}, {casts})")
    reads = " UNION ALL ".join(_read(picked, r, where) for picked, r in rows.items())
    values: dict[Band, dict[int, float]] = defaultdict(dict)
    bands = list(wanted)
    for i, hours in session.execute(text(reads + " ORDER BY 1, 2"), params):
        found = values[bands[i]]
        found[firsts[i] + len(found)] = float(hours)
    return values


def _add_medians(session: Session, period: Period, found: dict[str | None, dict[Any, Tally]]) -> None:
    """Fetch the middle resolution times of every group; interpolate as percentile_cont(0.5)."""
    wanted = _wanted(found)
    values = _read_bands(session, period, wanted) if wanted else {}
    for grouping, groups in found.items():
        for key, tally in groups.items():
            if tally.resolved:
                band = (grouping or "all", _code(key))
                first, *second = (values[(*band, bucket)][position] for bucket, position in tally.middle())
                tally.median = first + (second[0] - first) * 0.5 if second else first


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
