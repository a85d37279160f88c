"""Shared pieces of the backend benchmarks: a throw-away PostgreSQL database, timing, tables."""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `backend` and `tests.fakes` importable
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.adapters.db.engine import make_engine, make_session_factory  # noqa: E402
from backend.adapters.db.migrate import upgrade  # noqa: E402
from backend.services.reference_service import ReferenceLoader  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
LOOPBACK = "127.0.0.1"


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL (only loopback servers are benchmarked)."""
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    url = url if url.startswith("postgres") else DEFAULT_DATABASE_URL
    if make_url(url).host not in (LOOPBACK, "localhost"):
        raise SystemExit(f"benchmarks run only against {LOOPBACK}; DATABASE_URL names another host")
    return url


def libpq(url: str) -> str:
    """The URL as libpq (psycopg) wants it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(libpq(server_url()), autocommit=True, connect_timeout=5) as admin:
        admin.execute(statement)


def _prepared(name: str) -> str:
    """Migrate the database `name` and load the reference data; its URL."""
    url = make_url(server_url()).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ReferenceLoader(ROOT / "reference").load(session)
    engine.dispose()
    return url


@contextmanager
def bench_database() -> Iterator[str]:
    """A fresh database `ioc_bench_<random>`, migrated and loaded with the reference data; dropped after."""
    name = f"ioc_bench_{uuid.uuid4().hex[:10]}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _prepared(name)
    finally:
        drop_database(name)


def kept_database(name: str) -> str:
    """A database `name` that outlives the run (created if new, migrated, reference data); its URL."""
    with psycopg.connect(libpq(server_url()), autocommit=True, connect_timeout=5) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _prepared(name)


def drop_database(name: str) -> None:
    """Drop a bench database."""
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def connect(url: str) -> psycopg.Connection[Any]:
    """A plain autocommit psycopg connection to the bench database."""
    return psycopg.connect(libpq(url), autocommit=True)


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and mean of durations in seconds, as milliseconds."""
    return {
        "n": len(samples),
        "p50": percentile(samples, 50) * 1000,
        "p95": percentile(samples, 95) * 1000,
        "p99": percentile(samples, 99) * 1000,
        "mean": statistics.fmean(samples) * 1000,
    }


def sample(call: Callable[[], Any], iterations: int, budget_s: float, warmup: int = 2) -> list[float]:
    """Time `call` up to `iterations` times (at least 3) or until `budget_s` seconds have passed."""
    for _ in range(warmup):
        call()
    durations: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(durations) < iterations and (len(durations) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        call()
        durations.append(time.perf_counter() - start)
    return durations


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Print and return a Markdown table."""
    cells = [[_cell(v) for v in row] for row in rows]
    lines = [f"\n#### {title}\n", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def note(text: str) -> None:
    """Print a progress or skip note."""
    print(f"- {text}", flush=True)
