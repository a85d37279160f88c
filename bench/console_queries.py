"""Console inbox and statistics at 100k and 1M generated tickets: the query services, the HTTP
pages of a signed-in dispatcher, the inbox queries without the console's indexes (baseline), the
dashboard's previous code next to its current cold (cache miss) and warm (cache hit) paths, and the
default dashboard under steady traffic with the cache alone vs with refresh-ahead."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import console_stats
import httpx
from backend_env import bench_database, connect, sample, summary_ms, table
from backend_server import backend
from console_data import generate
from console_explain import explain

from backend.adapters.db.base import utcnow
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.domain.access import Principal, Role
from backend.domain.sla import LOCAL_TZ
from backend.services.statistics import Statistics, StatsQuery
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort, TicketQueries
from backend.services.user_service import UserService

CONSOLE_INDEXES = ("ix_tickets_department_created", "ix_tickets_category_created",
                   "ix_tickets_unit_created", "ix_tickets_search_trgm")  # fmt: skip
PASSWORD = "Bench-dispatcher-2026"
OPEN = ("new", "assigned", "in_progress")
BUDGET_S = 15.0


@dataclass(frozen=True)
class ListCase:
    name: str
    filter: TicketFilter
    query: str  # the same filter as the /console query string
    sort: Sort = Sort()


def list_cases(url: str) -> list[ListCase]:
    """Typical inbox views: default, open work, one department, category + ward, overdue, recent, text
    (a common phrase, a ticket code, a common phrase with statuses chosen)."""
    with connect(url) as db:
        department = db.execute(
            "SELECT department_code FROM tickets GROUP BY 1 ORDER BY count(*) DESC"
        ).fetchone()
        unit = db.execute("SELECT unit_code FROM tickets WHERE unit_code IS NOT NULL LIMIT 1").fetchone()
        code = db.execute(
            "SELECT code FROM tickets ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM tickets)"
        ).fetchone()
    week = _today() - timedelta(days=6)
    dep, ward, ticket = department[0], unit[0], code[0]
    return [
        ListCase("default: all, newest first", TicketFilter(), ""),
        ListCase("open statuses", TicketFilter(statuses=OPEN), "status=" + ",".join(OPEN)),
        ListCase("department + assigned", TicketFilter(statuses=("assigned",), departments=(dep,)),
                 f"status=assigned&department={dep}"),
        ListCase("category + ward", TicketFilter(categories=("environment",), units=(ward,)),
                 f"category=environment&unit={ward}"),
        ListCase("overdue, by deadline", TicketFilter(overdue=True), "overdue=true&sort=due_at&order=asc",
                 Sort("due_at", descending=False)),
        ListCase("last 7 days", TicketFilter(created_from=week), f"from={week.isoformat()}"),
        ListCase("text 'cong thoat nuoc'", TicketFilter(text="cong thoat nuoc"), "q=cong+thoat+nuoc"),
        ListCase("text: a ticket code", TicketFilter(text=ticket), f"q={ticket}"),
        ListCase("text + assigned", TicketFilter(statuses=("assigned",), text="cong thoat nuoc"),
                 "status=assigned&q=cong+thoat+nuoc"),
        ListCase("text + open statuses", TicketFilter(statuses=OPEN, text="cong thoat nuoc"),
                 "status=" + ",".join(OPEN) + "&q=cong+thoat+nuoc"),
    ]  # fmt: skip


def stats_cases(url: str) -> list[tuple[str, StatsQuery, str]]:
    """The dashboard's default (60 days), a year by month, one department, and one area (the
    busiest unit) over 60 days and a year."""
    today = _today()
    with connect(url) as db:
        department = db.execute(
            "SELECT department_code FROM tickets GROUP BY 1 ORDER BY count(*) DESC"
        ).fetchone()
        unit = db.execute(
            "SELECT unit_code FROM tickets WHERE unit_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC"
        ).fetchone()
    start60, start365 = today - timedelta(days=59), today - timedelta(days=364)
    return [
        ("dashboard default: 60 days by day", StatsQuery(start60, today), ""),
        ("one year by month", StatsQuery(start365, today, bucket="month"),
         f"from={start365.isoformat()}&to={today.isoformat()}&bucket=month"),
        ("one department, 60 days", StatsQuery(start60, today, department=department[0]),
         f"department={department[0]}"),
        ("one area, 60 days", StatsQuery(start60, today, unit=unit[0]), f"unit={unit[0]}"),
        ("one area, one year by month", StatsQuery(start365, today, unit=unit[0], bucket="month"),
         f"from={start365.isoformat()}&to={today.isoformat()}&unit={unit[0]}&bucket=month"),
    ]  # fmt: skip


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _services(url: str) -> tuple[TicketQueries, Statistics, Any]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    return TicketQueries(factory, utcnow), Statistics(factory, utcnow), engine


def measure_services(url: str, iterations: int, budget: float = BUDGET_S) -> dict[str, dict[str, float]]:
    """p50/p95 of every list case through the query service."""
    queries, _, engine = _services(url)
    dispatcher = Principal(1, "bench", "Bench", Role.DISPATCHER, None)
    results: dict[str, dict[str, float]] = {}
    try:
        for case in list_cases(url):
            call = lambda c=case: queries.list(dispatcher, c.filter, c.sort, 1, 25)  # noqa: E731
            results["list: " + case.name] = summary_ms(sample(call, iterations, budget, warmup=1))
    finally:
        engine.dispose()
    return results


@contextmanager
def signed_in(url: str, cache_seconds: int, prewarm_seconds: int = 0) -> Iterator[httpx.Client]:
    """A backend (in-process cache, DASHBOARD_* as given) and a dispatcher's keep-alive client."""
    with tempfile.TemporaryDirectory() as media:
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key", "MEDIA_DIR": media, "REDIS_URL": "",
               "DASHBOARD_CACHE_SECONDS": str(cache_seconds),
               "DASHBOARD_PREWARM_SECONDS": str(prewarm_seconds)}  # fmt: skip
        with backend(env) as base, httpx.Client(base_url=base, timeout=120) as http:
            login = http.post(
                "/api/v1/auth/login", json={"username": "bench.dispatcher", "password": PASSWORD}
            )
            login.raise_for_status()
            yield http


def measure_http(
    url: str, iterations: int, cache_seconds: int, pages: list[tuple[str, str]]
) -> dict[str, Any]:
    """Round-trip time over loopback (keep-alive) of console pages, with DASHBOARD_CACHE_SECONDS."""
    results: dict[str, dict[str, float]] = {}
    with signed_in(url, cache_seconds) as http:
        for name, path in pages:
            results[name] = summary_ms(sample(lambda p=path: _get(http, p), iterations, BUDGET_S, warmup=1))
    return results


def measure_steady(url: str, seconds: float) -> list[list[Any]]:
    """The default dashboard page every 0.25 s for `seconds`: cache alone, then with refresh-ahead."""
    rows = []
    for name, prewarm in (("cache alone", 0), ("refresh-ahead", console_stats.STEADY_PREWARM_S)):
        with signed_in(url, console_stats.STEADY_CACHE_S, prewarm) as http:
            _get(http, "/console/dashboard")  # as the first official of the day would
            durations = console_stats.paced(lambda: _get(http, "/console/dashboard"), seconds)
        rows.append(console_stats.steady_row(name, durations))
    return rows


def measure_pages(url: str, iterations: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Inbox pages; dashboard pages with the cache off (cold) and on (warm, 60 s)."""
    create_dispatcher(url)
    cases = list_cases(url)
    inbox = [("/console " + c.name, "/console?" + c.query) for c in cases[:3] + cases[6:7]]
    dashboard = [
        ("/console/dashboard " + name, "/console/dashboard?" + qs) for name, _, qs in stats_cases(url)
    ]
    cold = measure_http(url, iterations, 0, inbox + dashboard)
    warm = measure_http(url, iterations, 60, dashboard)
    return {k: cold[k] for k, _ in inbox}, {k: cold[k] for k, _ in dashboard}, warm


def create_dispatcher(url: str) -> None:
    engine = make_engine(url)
    try:
        users = UserService(make_session_factory(engine))
        users.create("bench.dispatcher", PASSWORD, "Điều phối viên", Role.DISPATCHER.value)
    finally:
        engine.dispose()


def _get(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code}")


def without_console_indexes(url: str, iterations: int) -> dict[str, dict[str, float]]:
    """The inbox baseline: the same list queries with the console migration's indexes dropped."""
    with connect(url) as db:
        found = db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' "
                           "AND indexname = ANY(%s)", [list(CONSOLE_INDEXES)]).fetchall()  # fmt: skip
        for name, _ in found:
            db.execute(f'DROP INDEX "{name}"')
        db.execute("ANALYZE tickets")
    try:
        return measure_services(url, iterations, budget=BUDGET_S / 2)
    finally:
        with connect(url) as db:
            for _, definition in found:
                db.execute(definition)
            db.execute("ANALYZE tickets")


def explain_slow(url: str, total: int) -> None:
    """Print the plans of the default inbox, the free-text search and the default dashboard."""
    queries, stats, engine = _services(url)
    dispatcher = Principal(1, "bench", "Bench", Role.DISPATCHER, None)
    cases = list_cases(url)
    try:
        for case in (cases[0], cases[6]):
            call = lambda c=case: queries.list(dispatcher, c.filter, c.sort, 1, 25)  # noqa: E731
            explain(engine, call, f"list {case.name} at {total:,} tickets")
        name, query, _ = stats_cases(url)[0]
        explain(engine, lambda: stats.compute(dispatcher, query), f"stats {name} at {total:,} tickets")
    finally:
        engine.dispose()


def run(scales: list[int], iterations: int, explain_plans: bool = False) -> None:
    """Generate each scale, measure, and print the tables per scale (and the plans if asked)."""
    with bench_database() as url:
        for total in scales:
            generate(url, total)
            if explain_plans:
                explain_slow(url, total)
            services = measure_services(url, iterations)
            baseline = without_console_indexes(url, max(3, iterations // 5))
            stats = console_stats.measure(url, stats_cases(url), iterations, BUDGET_S)
            inbox, cold, warm = measure_pages(url, iterations)
            steady = measure_steady(url, 40.0 if iterations >= 30 else 3.0)
            views, round_ms = console_stats.refresh_round(url, max(3, iterations // 3), BUDGET_S)
            _print(total, services, baseline, stats, inbox)
            _print_dashboard(total, cold, warm)
            _print_steady(total, steady, views, round_ms)
            with connect(url) as db:  # the next scale starts from an empty users table
                db.execute("DELETE FROM users")


def _print(total: int, services: dict[str, Any], baseline: dict[str, Any], stats: dict[str, Any],
           http: dict[str, Any]) -> None:  # fmt: skip
    rows = [[name, f["p50"], f["p95"], baseline[name]["p50"], baseline[name]["p95"], f["n"]]
            for name, f in services.items()]  # fmt: skip
    headers = ["query", "p50", "p95", "baseline p50 (no console indexes)", "baseline p95", "runs"]
    table(f"Console inbox queries at {total:,} tickets (ms)", headers, rows)
    table(f"Dashboard statistics service at {total:,} tickets (ms; previous = commit "
          f"{console_stats.PREVIOUS[:7]} without the covering index)", console_stats.HEADERS,
          console_stats.rows(stats))  # fmt: skip
    rows = [[name, f["p50"], f["p95"], f["n"]] for name, f in http.items()]
    table(f"Console pages over HTTP at {total:,} tickets (ms, signed-in dispatcher, keep-alive)",
          ["page", "p50", "p95", "runs"], rows)  # fmt: skip


def _print_dashboard(total: int, cold: dict[str, Any], warm: dict[str, Any]) -> None:
    rows = [[name, f["p50"], f["p95"], warm[name]["p50"], warm[name]["p95"], f"{f['n']}/{warm[name]['n']}"]
            for name, f in cold.items()]  # fmt: skip
    headers = ["page", "cold p50 (cache off)", "cold p95", "warm p50 (cache hit)", "warm p95", "runs"]
    table(f"/console/dashboard over HTTP at {total:,} tickets (ms, signed-in dispatcher)", headers, rows)


def _print_steady(total: int, steady: list[list[Any]], views: int, round_ms: dict[str, Any]) -> None:
    cache, prewarm = console_stats.STEADY_CACHE_S, console_stats.STEADY_PREWARM_S
    settings = f"one page every {console_stats.STEADY_PACE_S} s, cache {cache} s, refresh every {prewarm} s"
    title = f"Default dashboard under steady traffic at {total:,} tickets (ms; {settings}, in-process)"
    table(title, console_stats.STEADY_HEADERS, steady)
    row = ["round", round_ms["p50"], round_ms["p95"], round_ms["n"]]
    title = f"One refresh-ahead round at {total:,} tickets (ms; {views} views: the province and each area)"
    table(title, ["refresh_once", "p50", "p95", "runs"], [row])
