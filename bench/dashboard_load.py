"""The dashboard alone, on a database kept between runs, so that the slow seeding and the timing can
run apart (seed while others work; time on a quiet machine):

    .venv/bin/python bench/dashboard_load.py seed NAME --scale 1m   # create NAME, generate tickets
    .venv/bin/python bench/dashboard_load.py measure NAME           # time it (prints the tables)
    .venv/bin/python bench/dashboard_load.py drop NAME

`measure` times, for each dashboard case of console_queries (default 60 days, a year by month, one
department, one area over 60 days and over a year): the statistics service as it was at BEFORE
(four passes over the covering index, the cold path before the rollups) next to today's (the
rollups, cold) and a cache hit (warm); then /console/dashboard over HTTP with the cache off (cold)
and on (warm). The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import subprocess
from typing import Any

import console_queries
import console_stats
from backend_env import ROOT, connect, drop_database, kept_database, load_average, note, table
from console_data import generate

BEFORE = "367e058a2d39f30de0386b05b127ff8961660bcd"  # the cold path before the rollups (console_0006)
SCALES = {"100k": 100_000, "1m": 1_000_000}


def seed(name: str, total: int) -> None:
    """Create (or reuse) the database and replace its tickets with `total` generated ones."""
    generate(kept_database(name), total)


def measure(name: str, runs: int) -> None:
    """Print the service and page tables for the database's tickets."""
    url = kept_database(name)
    with connect(url) as db:
        total = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        db.execute("DELETE FROM users WHERE username = 'bench.dispatcher'")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()  # fmt: skip
    note(f"{total:,} tickets, commit {commit}, load average before: {load_average()}")
    cases = console_queries.stats_cases(url)
    stats = console_stats.measure(url, cases, runs, console_queries.BUDGET_S, previous_commit=BEFORE)
    headers = ["query", "before p50", "before p95", *console_stats.HEADERS[3:-1], "runs (before/cold/warm)"]
    table(f"Dashboard statistics service at {total:,} tickets (ms; before = {BEFORE[:7]})", headers,
          console_stats.rows(stats))  # fmt: skip
    console_queries.create_dispatcher(url)
    pages = [(case, "/console/dashboard?" + query) for case, _, query in cases]
    cold = console_queries.measure_http(url, runs, 0, pages)
    warm = console_queries.measure_http(url, runs, 60, pages)
    _print_pages(total, cold, warm)
    note(f"load average after: {load_average()}")


def _print_pages(total: int, cold: dict[str, Any], warm: dict[str, Any]) -> None:
    rows = [[name, f["p50"], f["p95"], warm[name]["p50"], warm[name]["p95"], f"{f['n']}/{warm[name]['n']}"]
            for name, f in cold.items()]  # fmt: skip
    headers = ["page", "cold p50 (cache off)", "cold p95", "warm p50 (cache hit)", "warm p95", "runs"]
    table(f"/console/dashboard over HTTP at {total:,} tickets (ms, signed-in dispatcher)", headers, rows)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("action", choices=("seed", "measure", "drop"))
    parser.add_argument("name", help="database name on the DATABASE_URL server (127.0.0.1 only)")
    parser.add_argument("--scale", choices=tuple(SCALES), default="100k", help="seed: how many tickets")
    parser.add_argument("--runs", type=int, default=30, help="measure: runs per case")
    args = parser.parse_args()
    if args.action == "seed":
        seed(args.name, SCALES[args.scale])
    elif args.action == "measure":
        measure(args.name, args.runs)
    else:
        drop_database(args.name)


if __name__ == "__main__":
    main()
