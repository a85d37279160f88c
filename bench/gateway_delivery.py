"""Outbound delivery throughput through the outbox worker (1 and several worker processes)
against the fake Telegram and Zalo APIs, and direct sends without the outbox (baseline)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import SimpleNamespace

from backend_env import ROOT, bench_database, connect, note, table
from backend_server import stop
from gateway_load import gateway_env

from backend.adapters.notifiers.senders import ChannelSenders
from backend.settings import Settings
from channels import Channel, OutboundMessage

TIMEOUT_S = 180.0
ROWS = """
INSERT INTO outbox (channel, channel_user_id, kind, payload, idempotency_key, state, attempts,
  next_attempt_at, created_at)
SELECT CASE WHEN n %% 2 = 0 THEN 'telegram' ELSE 'zalo' END, (%(base)s::bigint + n)::text, %(kind)s::text,
  '{"text": "Phản ánh PA-2026-000123 đã được tiếp nhận. Cảm ơn anh/chị!", "buttons": []}',
  %(kind)s::text || ':' || n, 'pending', 0, now(), now()
FROM generate_series(1, %(count)s) AS n
"""


@contextmanager
def fakes() -> Iterator[SimpleNamespace]:
    """The fake platforms in a separate process (so they do not share this process's CPU)."""
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "gateway_fakes.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)  # fmt: skip
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        yield SimpleNamespace(
            token=info["telegram_token"], base_url=info["telegram_base_url"], app_id=info["zalo_app_id"],
            app_secret=info["zalo_app_secret"], access_token=info["zalo_access_token"],
            refresh_token=info["zalo_refresh_token"], zalo_base_url=info["zalo_base_url"],
        )  # fmt: skip
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=20)


def _env(url: str, media: Path, platform: SimpleNamespace) -> dict[str, str]:
    telegram = SimpleNamespace(token=platform.token, base_url=platform.base_url)
    zalo = SimpleNamespace(app_id=platform.app_id, app_secret=platform.app_secret,
                           access_token=platform.access_token, refresh_token=platform.refresh_token,
                           base_url=platform.zalo_base_url)  # fmt: skip
    quiet = {"WORKER_POLL_SECONDS": "0.05", "FORWARDER_SWEEP_SECONDS": "3600", "LOG_LEVEL": "WARNING"}
    return gateway_env(url, media, telegram, zalo, "http://127.0.0.1:9", **quiet)  # type: ignore[arg-type]


def _enqueue(url: str, count: int) -> str:
    kind = f"bench_{uuid.uuid4().hex[:8]}"
    with connect(url) as db:
        base = db.execute("SELECT count(*) FROM outbox").fetchone()[0] * 10 + 1_000_000
        db.execute(ROWS, {"base": base, "count": count, "kind": kind})
    return kind


def _wait_delivered(url: str, kind: str, count: int) -> tuple[float, int]:
    start, done = time.perf_counter(), 0
    with connect(url) as db:
        while time.perf_counter() - start < TIMEOUT_S:
            done = db.execute("SELECT count(*) FROM outbox WHERE kind = %s AND state = 'delivered'",
                              [kind]).fetchone()[0]  # fmt: skip
            if done >= count:
                break
            time.sleep(0.02)
    return time.perf_counter() - start, done


def through_workers(url: str, env: dict[str, str], count: int, workers: int) -> tuple[float, int]:
    """Messages/s with `workers` worker processes: rows enqueued at once, timed until delivered."""
    with ExitStack() as stack:
        for _ in range(workers):
            process = subprocess.Popen([sys.executable, "-m", "backend.entrypoints.workers"], cwd=ROOT,
                                       env={**os.environ, **env}, stderr=subprocess.DEVNULL)  # fmt: skip
            stack.callback(stop, process)
        _wait_delivered(url, _enqueue(url, 2 * workers), 2 * workers)  # the workers are up
        time.sleep(2.0)
        seconds, done = _wait_delivered(url, _enqueue(url, count), count)
    return done / seconds, count - done


async def _direct(env: dict[str, str], count: int, concurrency: int) -> float:
    senders = ChannelSenders.from_settings(Settings(**{k.lower(): v for k, v in env.items()}))
    await senders.start()
    todo = iter(range(count))

    async def sender() -> None:
        for n in todo:
            channel = Channel.TELEGRAM if n % 2 == 0 else Channel.ZALO
            message = OutboundMessage(channel, str(2_000_000 + n), text="Phản ánh đã được tiếp nhận.")
            await senders.send(message)

    try:
        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return count / (time.perf_counter() - start)
    finally:
        await senders.close()


def run(count: int, workers: tuple[int, ...]) -> None:
    """Measure the outbox worker with each worker count and direct sends with as many senders."""
    note(f"outbound delivery: {count} messages (half Telegram, half Zalo, one per citizen) per cell")
    rows = []
    with bench_database() as url, tempfile.TemporaryDirectory() as media, fakes() as platform:
        env = _env(url, Path(media), platform)
        for n in workers:
            rate, missing = through_workers(url, env, count, n)
            direct = asyncio.run(_direct(env, count, n))
            rows.append([n, rate, missing, direct, f"{100 * rate / direct:.0f} %"])
    table(f"Outbound delivery against the fake Telegram and Zalo APIs ({count} messages per cell)",
          ["workers / senders", "outbox worker msg/s", "not delivered", "baseline: direct sends msg/s",
           "outbox / direct"], rows)  # fmt: skip
