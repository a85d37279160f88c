"""200 MB bodies against a real backend process (issue 12, point 3): for each route, once with a
declared Content-Length and once chunked (length unknown), the status it answered, how much of
the body it took before answering, and the backend's resident memory (VmRSS) before and after.

A raw-socket client sends the body while watching for the answer, as a browser or curl would.

    .venv/bin/python bench/large_body.py [--megabytes 200]
"""

from __future__ import annotations

import argparse
import select
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from backend_env import LOOPBACK, bench_database, note, table
from backend_server import free_port, running
from gateway_load import SilentRasa, gateway_env, platforms

BOUNDARY = "benchboundary"
JSON = {"Content-Type": "application/json"}
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
PART_HEAD = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
             "Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff").encode("latin-1")  # fmt: skip
ROUTES = [
    ("/api/v1/tickets", JSON),
    ("/webhooks/zalo", JSON),
    ("/webhooks/telegram", {**JSON, "X-Telegram-Bot-Api-Secret-Token": "bench-webhook-secret"}),
    ("/open311/v2/requests.json", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("/api/v1/tickets/PA-2026-000001/photos", MULTIPART),
    ("/chat/upload", MULTIPART),
]
PIECE = 64 * 1024
DEADLINE_S = 60.0


@dataclass
class Outcome:
    status: str
    sent: int
    seconds: float


def rss_kib(pid: int) -> int:
    """The process's resident set (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _head(path: str, headers: dict[str, str], total: int, chunked: bool) -> bytes:
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    fields = [f"{name}: {value}" for name, value in headers.items()]
    lines = [f"POST {path} HTTP/1.1", f"Host: {LOOPBACK}", *fields, framing]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _pieces(total: int, chunked: bool, first: bytes) -> Iterator[bytes]:
    """The body in pieces: `first` (a file part's head, for uploads), then filler."""
    data = b"x" * PIECE
    for index in range(total // PIECE):
        piece = first + data[len(first) :] if index == 0 else data
        yield f"{PIECE:x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    if chunked:
        yield b"0\r\n\r\n"


def post(port: int, path: str, headers: dict[str, str], total: int, chunked: bool) -> Outcome:
    """Send the body while reading; stop at the first answer (or a reset)."""
    start = time.perf_counter()
    with socket.create_connection((LOOPBACK, port)) as sock:
        sock.sendall(_head(path, headers, total, chunked))
        sock.setblocking(False)
        first = PART_HEAD if headers is MULTIPART else b""
        status, sent = _exchange(sock, _pieces(total, chunked, first))
    return Outcome(status, sent, time.perf_counter() - start)


def _exchange(sock: socket.socket, pieces: Iterator[bytes]) -> tuple[str, int]:
    pending, sent, answer = memoryview(next(pieces)), 0, b""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        readable, writable, _ = select.select([sock], [sock] if pending else [], [], 1.0)
        try:
            if readable:
                answer += sock.recv(65536)
                if b"\r\n" in answer or not answer:
                    return answer.split(b"\r\n", 1)[0].decode(errors="replace")[9:] or "closed", sent
            if writable:
                count = sock.send(pending)
                sent, pending = sent + count, pending[count:]
                if not pending:
                    pending = memoryview(next(pieces, b""))
        except OSError as error:
            return f"{type(error).__name__}", sent
    return "no answer", sent


def _row(port: int, pid: int, path: str, headers: dict[str, str], total: int, chunked: bool) -> list[str]:
    before = rss_kib(pid)
    outcome = post(port, path, headers, total, chunked)
    time.sleep(0.5)  # let the backend finish with the request
    after = rss_kib(pid)
    framing = "chunked" if chunked else "Content-Length"
    return [path, framing, outcome.status, f"{outcome.sent / 1048576:,.1f}", f"{before / 1024:,.1f}",
            f"{after / 1024:,.1f}", f"{(after - before) / 1024:+,.1f}", f"{outcome.seconds:.2f}"]  # fmt: skip


@contextmanager
def gateway_backend(url: str, media: Path) -> Iterator[tuple[int, int]]:
    """A backend process with both channels on (fake platforms) and no Redis: (port, pid)."""
    port, rasa = free_port(), SilentRasa()
    with platforms() as (telegram, zalo):
        env = gateway_env(url, media, telegram, zalo, rasa.base_url, REDIS_URL="", LOG_LEVEL="WARNING",
                          BACKEND_HOST=LOOPBACK, BACKEND_PORT=str(port), SERVICE_TOKEN="bench-token",
                          OPEN311_API_KEYS="bench-key")  # fmt: skip
        args = [sys.executable, "-m", "backend"]
        with running(args, env, f"http://{LOOPBACK}:{port}/healthz") as process:
            yield port, process.pid
    rasa.close()


def run(megabytes: int) -> None:
    """Every route, declared then chunked; a table of statuses and memory."""
    total = megabytes * 1024 * 1024
    rows = []
    with (
        bench_database() as url,
        tempfile.TemporaryDirectory() as media,
        gateway_backend(url, Path(media)) as (port, pid),
    ):
        for path, headers in ROUTES:
            for chunked in (False, True):
                rows.append(_row(port, pid, path, headers, total, chunked))
    headers = ["route", "framing", "answer", "MiB sent before it", "RSS before MiB", "RSS after MiB",
               "growth MiB", "s"]  # fmt: skip
    table(f"{megabytes} MB request bodies against one backend process", headers, rows)
    note("an answer that is an error name means the connection was reset before any answer was read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    run(parser.parse_args().megabytes)


if __name__ == "__main__":
    main()
