"""Webhook ingest (verify signature, persist, ack) per second for Telegram and Zalo on
PostgreSQL, against an empty FastAPI endpoint served the same way (baseline)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from backend_env import bench_database, connect, note, summary_ms, table
from backend_server import backend, empty_app
from gateway_load import SilentRasa, blast, gateway_env, platforms, telegram_request, zalo_request

WARMUP = 50


def requests(channel: str, count: int, senders: int, app_id: str) -> list:
    """`count` distinct webhook requests from `senders` citizens."""
    if channel == "telegram":
        return [telegram_request(700_000 + i % senders, f"xin chào, tin số {i}") for i in range(count)]
    return [zalo_request(app_id, f"84{900_000 + i % senders}", f"xin chào, tin số {i}") for i in range(count)]


def _row(label: str, count: int, measured: tuple[float, list[float], int]) -> list:
    elapsed, latencies, failures = measured
    figures = summary_ms(latencies)
    return [label, count / elapsed, figures["p50"], figures["p99"], failures]


def run(count: int, concurrency: int) -> None:
    """Measure both channels and the baseline; check every accepted message was stored once."""
    note(f"webhook ingest: {count} requests per channel, {concurrency} concurrent clients (httpx async)")
    rows = []
    rasa = SilentRasa()
    with bench_database() as url, tempfile.TemporaryDirectory() as media, platforms() as (telegram, zalo):
        env = gateway_env(url, Path(media), telegram, zalo, rasa.base_url,
                          RASA_ACK_TIMEOUT="600", RASA_TIMEOUT="600")  # fmt: skip
        with backend(env) as base:
            for channel in ("telegram", "zalo"):
                blast(base, requests(channel, WARMUP, concurrency, zalo.app_id), concurrency)
                batch = requests(channel, count, concurrency, zalo.app_id)
                rows.append(_row(f"gateway /webhooks/{channel}", count, blast(base, batch, concurrency)))
        with connect(url) as db:
            stored = db.execute("SELECT count(*) FROM inbound_messages").fetchone()[0]
        note(f"inbound_messages stored: {stored} (expected {2 * (count + WARMUP)})")
    rasa.close()
    with empty_app() as base:
        for channel in ("telegram", "zalo"):
            blast(base, requests(channel, WARMUP, concurrency, "app"), concurrency)
            batch = requests(channel, count, concurrency, "app")
            measured = blast(base, batch, concurrency)
            rows.append(_row(f"baseline: empty FastAPI /webhooks/{channel}", count, measured))
    table(f"Webhook ingest on PostgreSQL ({count} requests, {concurrency} concurrent clients)",
          ["endpoint", "requests/s", "p50 ms", "p99 ms", "failed"], rows)  # fmt: skip
