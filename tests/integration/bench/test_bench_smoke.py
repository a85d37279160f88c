"""Smoke test of the backend benchmarks: each part runs with tiny sizes on PostgreSQL and prints
its figures next to its baseline (no timing is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import DEFAULT_DATABASE_URL, unavailable

ROOT = Path(__file__).resolve().parents[3]
NUMBER = r"[\d,]+(?:\.\d)?"
EXPECTED = {
    "tickets": ("Ticket creation with routing", "baseline: bare INSERT rows/s"),
    "console": ("Console inbox queries at 2,000 tickets", "Console pages over HTTP at 2,000 tickets"),
    "ingest": ("Webhook ingest on PostgreSQL", "baseline: empty FastAPI /webhooks/zalo"),
    "delivery": ("Outbound delivery against the fake Telegram and Zalo APIs", "baseline: direct sends msg/s"),
}


@pytest.fixture(scope="module")
def server_url() -> str:
    """The PostgreSQL server the benchmarks create their database on."""
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    url = url if url.startswith("postgres") else DEFAULT_DATABASE_URL
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL unreachable: {error}")
    return url


@pytest.fixture(scope="module")
def outputs(server_url: str) -> dict[str, str]:
    """What each part printed (each part runs once per module)."""
    return {}


def output_of(part: str, server_url: str, outputs: dict[str, str]) -> str:
    """Run one part of bench/backend_load.py with --quick once and return what it printed."""
    if part not in outputs:
        outputs[part] = run_bench(part, server_url)
    return outputs[part]


def run_bench(part: str, server_url: str) -> str:
    """Run one part of bench/backend_load.py with --quick and return what it printed."""
    command = [sys.executable, "bench/backend_load.py", "--quick", "--parts", part, "--scale", "2k"]
    env = {**os.environ, "DATABASE_URL": server_url}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def table_rows(output: str, title: str) -> list[str]:
    """The data rows of the Markdown table whose title contains `title`."""
    section = output.split(title, 1)[1].split("\n\n", 2)[1]
    return [line for line in section.splitlines() if line.startswith("|")][2:]


@pytest.mark.parametrize("part", sorted(EXPECTED))
def test_part_prints_its_figures_and_baseline(part: str, server_url: str, outputs: dict[str, str]) -> None:
    output = output_of(part, server_url, outputs)
    title, baseline = EXPECTED[part]
    assert title in output and baseline in output
    rows = table_rows(output, title)
    assert rows, output
    for row in rows:
        assert re.search(rf"\| {NUMBER} \|", row), row


def test_console_bench_states_its_baselines_and_times_both_pages(
    server_url: str, outputs: dict[str, str]
) -> None:
    output = output_of("console", server_url, outputs)
    assert "baseline p50 (no console indexes)" in output
    stats = table_rows(output, "Dashboard statistics service")
    assert len(stats) == 5 and all(re.search(rf"(\| {NUMBER} ){{6}}\|", row) for row in stats), stats
    pages = table_rows(output, "Console pages over HTTP")
    assert any(row.startswith("| /console default") for row in pages)
    dashboard = table_rows(output, "/console/dashboard over HTTP")
    assert dashboard and all(re.search(rf"(\| {NUMBER} ){{4}}\|", row) for row in dashboard), dashboard
    steady = table_rows(output, "Default dashboard under steady traffic")
    assert [row.split("|")[1].strip() for row in steady] == ["cache alone", "refresh-ahead"], steady
    assert re.search(rf"\| round \| {NUMBER} \| {NUMBER} \|", output), "no refresh-ahead round timed"


def test_dashboard_bench_seeds_times_and_drops_a_kept_database(server_url: str) -> None:
    name = f"ioc_bench_smoke_{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": server_url}

    def run(*args: str) -> str:
        command = [sys.executable, "bench/dashboard_load.py", *args]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    try:
        run("seed", name, "--scale", "2k")
        output = run("measure", name, "--runs", "2")
        stats = table_rows(output, "Dashboard statistics service")
        assert len(stats) == 6 and all(re.search(rf"(\| {NUMBER} ){{6}}\|", row) for row in stats), stats
        pages = table_rows(output, "/console/dashboard over HTTP")
        assert len(pages) == 6 and all(re.search(rf"(\| {NUMBER} ){{4}}\|", row) for row in pages), pages
        inbox = table_rows(run("inbox", name, "--runs", "2"), "Inbox at")
        assert len(inbox) == 10 and all(re.search(rf"(\| {NUMBER} ){{4}}\|", row) for row in inbox), inbox
        writes = table_rows(run("writes", name), "Single-ticket writes")
        assert [row.split("|")[1].strip() for row in writes] == [
            "insert, triggers on", "resolve, triggers on", "insert, triggers off", "resolve, triggers off"
        ]  # fmt: skip
    finally:
        run("drop", name)


def test_bad_part_is_refused() -> None:
    command = [sys.executable, "bench/backend_load.py", "--parts", "nope"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown parts: nope" in done.stderr
