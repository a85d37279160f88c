"""Backend, gateway and console benchmarks on PostgreSQL (figures in docs/BENCHMARKS.md, logs in
docs/benchmarks/).

    .venv/bin/python bench/backend_load.py [--parts tickets,console,ingest,rasa,delivery]
        [--scale 100k,1m] [--quick] [--explain]

Every part prints its figures next to a baseline measured in the same run, on a throw-away
database `ioc_bench_<random>` of the PostgreSQL server in DATABASE_URL, against 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time

import backend_env  # noqa: F401  (puts the project root on sys.path)
from backend_env import load_average, note

PARTS = ("tickets", "console", "ingest", "rasa", "delivery")


def scales(text: str) -> list[int]:
    """'100k,1m' → [100000, 1000000]."""
    units = {"k": 1_000, "m": 1_000_000}
    return [int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s) for s in text.lower().split(",")]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)}")
    parser.add_argument("--scale", default="100k,1m", help="console ticket counts, e.g. 100k,1m")
    parser.add_argument("--explain", action="store_true", help="console: print EXPLAIN ANALYZE plans")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, not a measurement")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.scale = scales(args.scale)
    return args


def run_part(name: str, args: argparse.Namespace) -> None:
    """Import and run one part."""
    quick = args.quick
    if name == "tickets":
        import backend_tickets

        backend_tickets.run(20 if quick else 300)
    elif name == "console":
        import console_queries

        console_queries.run(args.scale, iterations=3 if quick else 30, explain_plans=args.explain)
    elif name == "ingest":
        import gateway_ingest

        gateway_ingest.run(
            500 if quick else 30_000, concurrency=8 if quick else 64, seconds=2 if quick else 10
        )
    elif name == "rasa":
        import gateway_rasa

        gateway_rasa.run(3 if quick else 40)
    elif name == "delivery":
        import gateway_delivery

        gateway_delivery.run(20 if quick else 1000, workers=(1, 2) if quick else (1, 2, 4))


def main(argv: list[str] | None = None) -> None:
    """Run the chosen parts and print the tables (Markdown)."""
    args = parse(argv)
    started = time.perf_counter()
    print(f"## Backend benchmarks {datetime.datetime.now().isoformat(timespec='minutes')}")
    print(f"- machine: {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}")
    print(f"- load average at start: {load_average()}")
    for part in args.parts:
        print(f"\n### {part}", flush=True)
        run_part(part, args)
        note(f"load average after {part}: {load_average()}")
    note(f"total {time.perf_counter() - started:.0f} s")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
