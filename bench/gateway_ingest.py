"""Webhook ingest (verify signature, persist, ack) per second for Telegram and Zalo on
PostgreSQL, against an empty FastAPI endpoint served the same way (baseline), with one and with
two uvicorn worker processes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from backend_env import bench_database, connect, note, table
from backend_server import backend, empty_app
from gateway_load import Measured, SilentRasa, blast, gateway_env, platforms, telegram_request, zalo_request

WARMUP = 200
CHANNELS = ("telegram", "zalo")


def requests(channel: str, count: int, senders: int, app_id: str, first: int = 0) -> list:
    """`count` distinct webhook requests from `senders` citizens."""
    numbers = range(first, first + count)
    if channel == "telegram":
        return [telegram_request(700_000 + i % senders, f"xin chào, tin số {i}") for i in numbers]
    return [zalo_request(app_id, f"84{900_000 + i % senders}", f"xin chào, tin số {i}") for i in numbers]


def _row(label: str, measured: Measured) -> list:
    return [label, measured.requests, measured.rate, measured.p50_ms, measured.p99_ms, measured.failed]


def _gateway_rows(workers: int, pool: int, concurrency: int, seconds: float) -> list[list]:
    rows, sent = [], 0
    rasa = SilentRasa()
    with bench_database() as url, tempfile.TemporaryDirectory() as media, platforms() as (telegram, zalo):
        env = gateway_env(url, Path(media), telegram, zalo, rasa.base_url,
                          RASA_ACK_TIMEOUT="600", RASA_TIMEOUT="600")  # fmt: skip
        with backend(env, workers) as base:
            for channel in CHANNELS:
                blast(base, requests(channel, WARMUP, concurrency, zalo.app_id), concurrency, 2)
                measured = blast(base, requests(channel, pool, concurrency, zalo.app_id, WARMUP), concurrency,
                                 seconds)  # fmt: skip
                _check_pool(measured)
                sent += measured.requests
                rows.append(_row(f"gateway /webhooks/{channel}, {workers} worker(s)", measured))
        with connect(url) as db:
            stored = db.execute(
                "SELECT count(*), count(DISTINCT (channel, message_id)) FROM inbound_messages"
            )
            total, distinct = stored.fetchone()
    rasa.close()
    note(f"{workers} worker(s): inbound_messages {total} rows, {distinct} distinct; answered 200 in "
         f"the measured runs: {sent} (+ warm-up; rows may exceed answers by requests in flight)")  # fmt: skip
    return rows


def _check_pool(measured: Measured) -> None:
    if measured.wrapped:
        note(f"WARNING: the request pool ran out {measured.wrapped} time(s): later requests were duplicates")


def _baseline_rows(workers: int, pool: int, concurrency: int, seconds: float) -> list[list]:
    rows = []
    with empty_app(workers) as base:
        for channel in CHANNELS:
            blast(base, requests(channel, WARMUP, concurrency, "app"), concurrency, 2)
            measured = blast(base, requests(channel, pool, concurrency, "app"), concurrency, seconds)
            rows.append(_row(f"baseline: empty FastAPI /webhooks/{channel}, {workers} worker(s)", measured))
    return rows


def run(pool: int, concurrency: int, seconds: float = 10.0, workers: tuple[int, ...] = (1, 2)) -> None:
    """Measure both channels and the baseline for each worker count; check rows stored once."""
    note(f"webhook ingest: {concurrency} keep-alive connections for {seconds:.0f} s per cell, "
         f"pool of {pool} distinct requests per channel")  # fmt: skip
    rows = []
    for count in workers:
        rows += _gateway_rows(count, pool, concurrency, seconds)
        rows += _baseline_rows(count, pool, concurrency, seconds)
    generator = "wrk" if shutil.which("wrk") else "httpx (no wrk on the PATH: bounded by the generator)"
    table(f"Webhook ingest on PostgreSQL ({concurrency} connections, {seconds:.0f} s per cell, {generator})",
          ["endpoint", "requests", "requests/s", "p50 ms", "p99 ms", "failed"], rows)  # fmt: skip
