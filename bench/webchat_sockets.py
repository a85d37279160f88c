"""The console's inbox API while web chat sockets sit idle: p50/p95 with 0 and with 300 open
sockets (issue 12, point 8), on a real backend process without Redis (every socket used to read
the database each second). The 300 sockets come from 15 loopback addresses, 20 each (the default
WEBCHAT_SOCKETS_PER_IP); then 30 more from one address show the per-address cap.

    .venv/bin/python bench/webchat_sockets.py [--tickets 2000] [--sockets 300] [--samples 300]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

import httpx
from backend_env import bench_database, load_average, note, summary_ms, table
from backend_server import backend
from console_data import generate
from console_queries import PASSWORD, create_dispatcher
from websockets.asyncio.client import ClientConnection, connect

PER_ADDRESS = 20
BUDGET_S = 30.0
INBOX = "/api/v1/console/tickets"


class Sockets:
    """Idle web chat sockets held open by a child process, so their client side does not share
    the measuring client's interpreter."""

    def __init__(self, base: str) -> None:
        url = base.replace("http://", "ws://") + "/chat/ws?session_id="
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=_hold, args=(url, child), daemon=True
        )
        self.process.start()

    def add(self, count: int, address: str) -> int:
        """Open `count` sockets from `address`; how many the backend admitted."""
        self.pipe.send((count, address))
        if not self.pipe.poll(60):
            raise RuntimeError("the socket holder did not answer")
        return int(self.pipe.recv())

    def close(self) -> None:
        """Close every socket and end the child."""
        self.pipe.send(None)
        self.process.join(30)


def _hold(url: str, pipe: Connection) -> None:
    asyncio.run(_serve(url, pipe))


async def _serve(url: str, pipe: Connection) -> None:
    opened: list[ClientConnection] = []
    while (command := await asyncio.to_thread(pipe.recv)) is not None:
        count, address = command
        results = await asyncio.gather(*(_one(url, address) for _ in range(count)))
        admitted = [socket for socket in results if socket is not None]
        opened += admitted
        pipe.send(len(admitted))
    await asyncio.gather(*(socket.close() for socket in opened), return_exceptions=True)


async def _one(url: str, address: str) -> ClientConnection | None:
    try:
        return await connect(url + "w" + uuid.uuid4().hex, local_addr=(address, 0), proxy=None,
                             open_timeout=10, ping_interval=None)  # fmt: skip
    except Exception:
        return None


@contextmanager
def signed_in_backend(url: str) -> Iterator[tuple[str, httpx.Client]]:
    """A backend without Redis on the bench database, and a dispatcher's keep-alive client."""
    with tempfile.TemporaryDirectory() as media:
        env = {"DATABASE_URL": url, "REDIS_URL": "", "SECRET_KEY": "bench-secret-key", "MEDIA_DIR": media,
               "DASHBOARD_PREWARM_SECONDS": "0", "RASA_URL": "http://127.0.0.1:9"}  # fmt: skip
        with backend(env) as base, httpx.Client(base_url=base, timeout=30) as http:
            credentials = {"username": "bench.dispatcher", "password": PASSWORD}
            answer = http.post("/api/v1/auth/login", json=credentials)
            answer.raise_for_status()
            http.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
            yield base, http


def inbox_latency(http: httpx.Client, samples: int) -> dict[str, float]:
    """The inbox API `samples` times (or until the budget runs out), one after the other."""
    durations: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    while len(durations) < samples and time.perf_counter() < deadline:
        start = time.perf_counter()
        http.get(INBOX).raise_for_status()
        durations.append(time.perf_counter() - start)
        time.sleep(0.02)  # a pace like a few officials' clicks, not a saturating loop
    result = summary_ms(durations)
    result["max"] = max(durations) * 1000
    return result


def run(tickets: int, sockets: int, samples: int) -> None:
    """Measure the inbox with 0 and `sockets` idle sockets; print both side by side."""
    with bench_database() as url:
        generate(url, tickets)
        create_dispatcher(url)
        with signed_in_backend(url) as (base, http):
            inbox_latency(http, 20)  # warm-up
            idle = inbox_latency(http, samples)
            held = Sockets(base)
            try:
                opened = sum(held.add(PER_ADDRESS, f"127.0.0.{2 + i}") for i in range(sockets // PER_ADDRESS))
                time.sleep(3)  # let every socket settle into its idle state
                busy = inbox_latency(http, samples)
                extra = held.add(30, "127.0.0.2")
            finally:
                held.close()
    _print(tickets, [(0, idle, "-"), (opened, busy, f"{extra} of 30 more from 127.0.0.2")])


def _print(tickets: int, rows: list[tuple[int, dict[str, Any], str]]) -> None:
    headers = ["open web chat sockets", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "per-address cap"]
    cells = [[n, r["n"], r["p50"], r["p95"], r["p99"], r["max"], cap] for n, r, cap in rows]
    table(f"Console inbox API ({tickets:,} tickets, no Redis), load {load_average()}", headers, cells)
    note("the cap column: sockets admitted beyond the 20 already open from that address")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    run(args.tickets, args.sockets, args.samples)


if __name__ == "__main__":
    main()
