"""The dashboard alone, on a database kept between runs, so that the slow seeding and the timing can
run apart (seed while others work; time on a quiet machine):

    .venv/bin/python bench/dashboard_load.py seed NAME --scale 1m   # create NAME, generate tickets
    .venv/bin/python bench/dashboard_load.py measure NAME           # time it (prints the tables)
    .venv/bin/python bench/dashboard_load.py writes NAME            # what the rollup triggers cost
    .venv/bin/python bench/dashboard_load.py inbox NAME             # the inbox on the same tickets
    .venv/bin/python bench/dashboard_load.py drop NAME

`measure` times, for each dashboard case of console_queries (default 60 days, a year by month, one
department, one area over 60 days and over a year) and for two years (every generated ticket): the
statistics service as it was at BEFORE (four passes over the covering index, the cold path before
the rollups) next to today's (the rollups, cold) and a cache hit (warm); then /console/dashboard
over HTTP with the cache off (cold) and on (warm); one refresh-ahead round. The load average is
printed before and after. `writes` times single-ticket writes, each its own statement (insert a
copy of an existing ticket, then resolve and rate it; all rolled back at the end, so commits are
not timed), with the rollup triggers enabled and then disabled. `inbox` times every inbox view of
console_queries (page 1 of 25 with the total and the counts per status) through the query service
and as /console over HTTP.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from datetime import datetime, timedelta
from typing import Any

import console_queries
import console_stats
from backend_env import ROOT, connect, drop_database, kept_database, load_average, note, summary_ms, table
from console_data import generate

from backend.domain.sla import LOCAL_TZ
from backend.services.statistics import StatsQuery

BEFORE = "367e058a2d39f30de0386b05b127ff8961660bcd"  # the cold path before the rollups (console_0006)
SCALES = {"2k": 2_000, "100k": 100_000, "1m": 1_000_000}  # 2k: a smoke run, not a measurement


def seed(name: str, total: int) -> None:
    """Create (or reuse) the database and replace its tickets with `total` generated ones."""
    generate(kept_database(name), total)


def _opened(name: str) -> tuple[str, int]:
    """The database's URL and ticket count, without the bench dispatcher; notes commit and load."""
    url = kept_database(name)
    with connect(url) as db:
        total = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        db.execute("DELETE FROM users WHERE username = 'bench.dispatcher'")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()  # fmt: skip
    note(f"{total:,} tickets, commit {commit}, load average before: {load_average()}")
    return url, total


def measure(name: str, runs: int) -> None:
    """Print the service and page tables for the database's tickets."""
    url, total = _opened(name)
    today = datetime.now(LOCAL_TZ).date()
    two_years = today - timedelta(days=729)
    cases = [
        *console_queries.stats_cases(url),
        ("two years (every ticket) by month", StatsQuery(two_years, today, bucket="month"),
         f"from={two_years.isoformat()}&to={today.isoformat()}&bucket=month"),
    ]  # fmt: skip
    stats = console_stats.measure(url, cases, runs, console_queries.BUDGET_S, previous_commit=BEFORE)
    headers = ["query", "before p50", "before p95", *console_stats.HEADERS[3:-1], "runs (before/cold/warm)"]
    table(f"Dashboard statistics service at {total:,} tickets (ms; before = {BEFORE[:7]})", headers,
          console_stats.rows(stats))  # fmt: skip
    console_queries.create_dispatcher(url)
    pages = [(case, "/console/dashboard?" + query) for case, _, query in cases]
    cold = console_queries.measure_http(url, runs, 0, pages)
    warm = console_queries.measure_http(url, runs, 60, pages)
    _print_pages(total, cold, warm)
    views, round_ms = console_stats.refresh_round(url, 10, console_queries.BUDGET_S)
    row = ["round", round_ms["p50"], round_ms["p95"], round_ms["n"]]
    title = f"One refresh-ahead round at {total:,} tickets (ms; {views} views)"
    table(title, ["refresh_once", "p50", "p95", "runs"], [row])
    note(f"load average after: {load_average()}")


def inbox(name: str, runs: int) -> None:
    """Print the inbox table: every list case through the query service and over HTTP."""
    url, total = _opened(name)
    services = console_queries.measure_services(url, runs)
    console_queries.create_dispatcher(url)
    pages = [(case.name, "/console?" + case.query) for case in console_queries.list_cases(url)]
    http = console_queries.measure_http(url, runs, 0, pages)
    rows = [[view, f["p50"], f["p95"], http[view]["p50"], http[view]["p95"], f"{f['n']}/{http[view]['n']}"]
            for view, f in ((k.removeprefix("list: "), v) for k, v in services.items())]  # fmt: skip
    headers = ["view", "service p50", "service p95", "/console p50", "/console p95", "runs"]
    table(f"Inbox at {total:,} tickets (ms, signed-in dispatcher, page 1 of 25)", headers, rows)
    note(f"load average after: {load_average()}")


COPY = """
INSERT INTO tickets (code, status, category_code, description, unit_code, town_code, department_code,
  routing_match, citizen_channel, citizen_user_id, due_at, created_at, updated_at)
SELECT 'W-' || %(n)s, 'assigned', category_code, description, unit_code, town_code, department_code,
  routing_match, citizen_channel, citizen_user_id, now() + interval '3 days', now(), now()
FROM tickets WHERE id = %(n)s
"""
RESOLVE = "UPDATE tickets SET status = 'resolved', resolved_at = now(), rating_score = 4 WHERE code = %(c)s"
ROLLUP_TRIGGERS = ("insert", "update", "delete")


def writes(name: str, count: int = 300) -> None:
    """ms per single-ticket insert and update with the rollup triggers on and off."""
    url = kept_database(name)
    rows = []
    with connect(url) as db:
        note(f"load average before: {load_average()}")
        for enabled in (True, False):
            verb = "ENABLE" if enabled else "DISABLE"
            for event in ROLLUP_TRIGGERS:
                db.execute(f"ALTER TABLE tickets {verb} TRIGGER tickets_daily_figures_{event}")
            found, _ = {}, db.execute("BEGIN")
            for label, statement in (("insert", COPY), ("resolve", RESOLVE)):
                found[label] = summary_ms([_timed(db, statement, n) for n in range(1, count + 1)])
            db.execute("ROLLBACK")
            state = "on" if enabled else "off"
            rows += [[f"{label}, triggers {state}", f["p50"], f["p95"], f["mean"], f["n"]]
                     for label, f in found.items()]  # fmt: skip
        for event in ROLLUP_TRIGGERS:
            db.execute(f"ALTER TABLE tickets ENABLE TRIGGER tickets_daily_figures_{event}")
        note(f"load average after: {load_average()}")
    table(
        f"Single-ticket writes on {name} (ms per statement, in one transaction, rolled back)",
        ["write", "p50", "p95", "mean", "runs"],
        rows,
    )


def _timed(db: Any, statement: str, n: int) -> float:
    start = time.perf_counter()
    db.execute(statement, {"n": n, "c": f"W-{n}"})
    return time.perf_counter() - start


def _print_pages(total: int, cold: dict[str, Any], warm: dict[str, Any]) -> None:
    rows = [[name, f["p50"], f["p95"], warm[name]["p50"], warm[name]["p95"], f"{f['n']}/{warm[name]['n']}"]
            for name, f in cold.items()]  # fmt: skip
    headers = ["page", "cold p50 (cache off)", "cold p95", "warm p50 (cache hit)", "warm p95", "runs"]
    table(f"/console/dashboard over HTTP at {total:,} tickets (ms, signed-in dispatcher)", headers, rows)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("action", choices=("seed", "measure", "writes", "inbox", "drop"))
    parser.add_argument("name", help="database name on the DATABASE_URL server (127.0.0.1 only)")
    parser.add_argument("--scale", choices=tuple(SCALES), default="100k", help="seed: how many tickets")
    parser.add_argument("--runs", type=int, default=30, help="measure, inbox: runs per case")
    args = parser.parse_args()
    if args.action == "seed":
        seed(args.name, SCALES[args.scale])
    elif args.action == "measure":
        measure(args.name, args.runs)
    elif args.action == "writes":
        writes(args.name)
    elif args.action == "inbox":
        inbox(args.name, args.runs)
    else:
        drop_database(args.name)


if __name__ == "__main__":
    main()
