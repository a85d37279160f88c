"""The dashboard's statistics at each scale: the previous code (commit PREVIOUS, without the covering
index it did not have) next to the current code on a cache miss (cold) and on a cache hit (warm),
as services and as /console/dashboard pages (DASHBOARD_CACHE_SECONDS=0 vs 60); and the default page
under steady traffic with the cache alone vs with refresh-ahead (DASHBOARD_PREWARM_SECONDS), plus
what one refresh round costs."""

from __future__ import annotations

import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from backend_env import ROOT, connect, sample, summary_ms

from backend.adapters.db.base import utcnow
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.domain.access import Principal, Role
from backend.services.figures_cache import CachedStatistics, InProcessFiguresCache
from backend.services.figures_prewarm import DashboardPrewarmer, InProcessLease
from backend.services.statistics import Statistics, StatsQuery

PREVIOUS = "89a674acefe4596f29b1ab5a30853ea0c55f6caf"  # before the cold-path work and the cache
STATS_INDEX = "ix_tickets_stats_created"
DISPATCHER = Principal(1, "bench", "Bench", Role.DISPATCHER, None)
# Steady traffic: one default page every PACE_S; entries live CACHE_S, refreshed every PREWARM_S
# (shorter than the 30/20 s defaults, so a run sees several expiries and refresh rounds).
STEADY_CACHE_S, STEADY_PREWARM_S, STEADY_PACE_S = 10, 5, 0.25
SLOW_MS = 300.0


def _module_at(commit: str, path: str, name: str, injected: dict[str, Any]) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    for line in [line for line in source.splitlines() if line.startswith("from backend.services import ")]:
        source = source.replace(line + "\n", "")
    module = types.ModuleType(name)
    module.__dict__.update(injected)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit[:7]}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own code
    return module


def previous_statistics(commit: str = PREVIOUS) -> type:
    """The Statistics class as it was at `commit` (git show; no copy kept in the tree)."""
    old_sql = _module_at(commit, "backend/services/stats_sql.py", f"bench_{commit[:7]}_stats_sql", {})
    path, name = "backend/services/statistics.py", f"bench_{commit[:7]}_statistics"
    return _module_at(commit, path, name, {"stats_sql": old_sql}).Statistics  # type: ignore[no-any-return]


@contextmanager
def without_stats_index(url: str) -> Iterator[None]:
    """Drop the covering index for the block (the previous code ran without it)."""
    with connect(url) as db:
        found = db.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [STATS_INDEX]).fetchone()
        db.execute(f"DROP INDEX IF EXISTS {STATS_INDEX}")
    try:
        yield
    finally:
        if found:
            with connect(url) as db:
                db.execute(found[0])
                db.execute("VACUUM ANALYZE tickets")


def _timed(
    compute: Callable[[Principal, StatsQuery], Any], query: StatsQuery, runs: int, budget: float
) -> Any:
    return summary_ms(sample(lambda: compute(DISPATCHER, query), runs, budget, warmup=1))


Cases = list[tuple[str, StatsQuery, str]]


def measure(
    url: str, cases: Cases, runs: int, budget: float, previous_commit: str = PREVIOUS
) -> dict[str, Any]:
    """Per case: previous (the code at `previous_commit`; at PREVIOUS without the covering index it
    did not have), cold and warm figures of the statistics service (ms)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    results: dict[str, dict[str, Any]] = {name: {} for name, _, _ in cases}
    try:
        with without_stats_index(url) if previous_commit == PREVIOUS else nullcontext():
            previous = previous_statistics(previous_commit)(factory, utcnow)
            for name, query, _ in cases:
                results[name]["previous"] = _timed(previous.compute, query, runs, budget)
        current = Statistics(factory, utcnow)
        warm = CachedStatistics(current, InProcessFiguresCache(), 60)
        for name, query, _ in cases:
            results[name]["cold"] = _timed(current.compute, query, runs, budget)
            results[name]["warm"] = _timed(warm.compute, query, runs, budget)
    finally:
        engine.dispose()
    return results


def rows(results: dict[str, Any]) -> list[list[Any]]:
    """Table rows: case, previous p50/p95, cold p50/p95, warm p50/p95, runs (previous/cold/warm)."""
    table = []
    for name, found in results.items():
        runs = "/".join(str(found[k]["n"]) for k in ("previous", "cold", "warm"))
        table.append(
            [name, *(found[k][q] for k in ("previous", "cold", "warm") for q in ("p50", "p95")), runs]
        )
    return table


HEADERS = ["query", "previous p50", "previous p95", "cold p50", "cold p95", "warm p50", "warm p95",
           "runs (prev/cold/warm)"]  # fmt: skip


def paced(call: Callable[[], Any], seconds: float, pace: float = STEADY_PACE_S) -> list[float]:
    """Durations of `call` made once every `pace` seconds for `seconds` (officials opening the page)."""
    durations: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        call()
        took = time.perf_counter() - start
        durations.append(took)
        time.sleep(max(0.0, pace - took))
    return durations


def steady_row(name: str, durations: list[float]) -> list[Any]:
    """Table row: name, p50, p95, max, requests, requests over SLOW_MS."""
    found = summary_ms(durations)
    slow = sum(1 for d in durations if d * 1000 > SLOW_MS)
    return [name, found["p50"], found["p95"], max(durations) * 1000, found["n"], slow]


STEADY_HEADERS = ["/console/dashboard (default view)", "p50", "p95", "max", "requests",
                  f"over {SLOW_MS:.0f} ms"]  # fmt: skip


def refresh_round(url: str, runs: int, budget: float) -> tuple[int, dict[str, Any]]:
    """What one refresh-ahead round costs: the number of views and p50/p95 of `refresh_once`."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        cached = CachedStatistics(Statistics(factory, utcnow), InProcessFiguresCache(), STEADY_CACHE_S)
        prewarmer = DashboardPrewarmer(cached, InProcessLease(), factory, utcnow, STEADY_PREWARM_S)
        views = len(prewarmer.views())
        return views, summary_ms(sample(prewarmer.refresh_once, runs, budget, warmup=1))
    finally:
        engine.dispose()
