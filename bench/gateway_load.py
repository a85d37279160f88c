"""Shared by the gateway benchmarks: fakes of the platforms, gateway settings, a silent Rasa,
signed webhook requests, and the load generator (wrk, or httpx without it)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from backend_env import LOOPBACK, ROOT, summary_ms

from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes.telegram_updates import text_update
from tests.fakes.zalo_webhooks import sign, text_event

WEBHOOK_SECRET = "bench-webhook-secret"
OA_SECRET_KEY = "bench-oa-secret"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WRK_SCRIPT = ROOT / "bench" / "wrk_replay.lua"


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]


class SilentRasa:
    """Accepts connections and never answers: forwarding starts and waits, no reply is produced."""

    def __init__(self) -> None:
        self.server = socket.create_server((LOOPBACK, 0), backlog=1024)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        """Where RASA_URL points."""
        return f"http://{LOOPBACK}:{self.server.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        """Close the listening socket and every held connection."""
        self.server.close()
        for connection in self.held:
            connection.close()


@contextmanager
def platforms() -> Iterator[tuple[FakeTelegramServer, FakeZaloServer]]:
    """The fake Telegram and Zalo APIs, running in threads of this process."""
    with FakeTelegramServer() as telegram, FakeZaloServer() as zalo:
        yield telegram, zalo


def gateway_env(url: str, media: Path, telegram: FakeTelegramServer, zalo: FakeZaloServer,
                rasa_url: str, **extra: str) -> dict[str, str]:  # fmt: skip
    """Environment of a backend process with both channels on, pointed at the fakes."""
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    return {
        "DATABASE_URL": url, "MEDIA_DIR": str(media), "REDIS_URL": redis_url,
        "RASA_URL": rasa_url, "RATE_LIMIT_PER_MINUTE": "1000000000", "PUBLIC_BASE_URL": "http://127.0.0.1",
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": telegram.base_url, "ZALO_APP_ID": zalo.app_id,
        "ZALO_APP_SECRET": zalo.app_secret, "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": zalo.access_token, "ZALO_REFRESH_TOKEN": zalo.refresh_token,
        "ZALO_API_BASE_URL": zalo.base_url, "ZALO_OAUTH_BASE_URL": zalo.base_url,
        "ZALO_TOKEN_FILE": str(media / "zalo_tokens.json"), **extra,
    }  # fmt: skip


def telegram_request(chat_id: int, text: str) -> Request:
    """A Telegram text Update with the right secret header."""
    body = json.dumps(text_update(chat_id, text), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    return Request("/webhooks/telegram", body, headers)


def zalo_request(app_id: str, user_id: str, text: str) -> Request:
    """A signed Zalo user_send_text event."""
    body, headers = sign(text_event(app_id, user_id, text), app_id, OA_SECRET_KEY)
    return Request("/webhooks/zalo", body, headers)


@dataclass(frozen=True)
class Measured:
    """What one load run gave: completed requests, seconds, latency percentiles, failures."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int
    generator: str
    wrapped: int = 0  # wrk replayed its request pool this many times (then requests repeat)

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


def blast(base: str, requests: list[Request], concurrency: int, seconds: float = 10.0) -> Measured:
    """Load `base` with `requests` over `concurrency` keep-alive connections.

    With `wrk` on the PATH (Debian package `wrk`, written in C, so the generator takes little
    of the CPU it measures) the run lasts `seconds` and replays the requests in order, each
    once unless the pool runs out (`wrapped`). Without it, every request is sent once by
    httpx (much heavier: the figures are then bounded by the generator). A failure is an
    answer other than 2xx, a socket error or a timeout."""
    if shutil.which("wrk"):
        return _wrk(base, requests, concurrency, seconds)
    return asyncio.run(_httpx(base, requests, concurrency))


def _raw(request: Request, host: str) -> bytes:
    head = [f"POST {request.path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(request.body)}"]
    head += [f"{name}: {value}" for name, value in request.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + request.body


def _wrk(base: str, requests: list[Request], concurrency: int, seconds: float) -> Measured:
    threads = 2
    with tempfile.NamedTemporaryFile(suffix=".http") as pool:
        host = base.split("://", 1)[1]
        pool.write(b"".join(_raw(request, host) + b"\n@@@@\n" for request in requests))
        pool.flush()
        args = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "30s",
                "-s", str(WRK_SCRIPT), base, "--", pool.name, str(threads)]  # fmt: skip
        output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    figures = {key: int(value) for key, value in (field.split("=") for field in line.split()[1:])}
    failed = figures["socket_errors"] + figures["non2xx"] + figures["timeouts"]
    return Measured(figures["requests"], figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
                    figures["p99_us"] / 1000, failed, "wrk", figures["wrapped"])  # fmt: skip


async def _httpx(base: str, requests: list[Request], concurrency: int) -> Measured:
    pending = iter(requests)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        for request in pending:
            start = time.perf_counter()
            try:
                answer = await http.post(request.path, content=request.body, headers=request.headers)
                failures += answer.status_code != 200
            except httpx.TransportError:  # counted, not fatal: the table shows it
                failures += 1
            latencies.append(time.perf_counter() - start)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    figures = summary_ms(latencies)
    return Measured(len(latencies), elapsed, figures["p50"], figures["p99"], failures, "httpx")


def stack() -> ExitStack:
    """An exit stack (re-exported for the parts)."""
    return ExitStack()
