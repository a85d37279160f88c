"""Serve the backend (or a bench app) with uvicorn in a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx
from backend_env import LOOPBACK, ROOT


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll `url` until it answers 200; fail if the process died or the time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def running(
    args: list[str], env: Mapping[str, str], health_url: str, timeout: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends (stopped with SIGTERM, then killed); yields it.

    Its output goes to a temporary file, printed only when the server fails to start."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the server stops)
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        wait_until_up(health_url, process, timeout)
    except RuntimeError:
        stop(process)
        log.seek(0)
        sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
        raise
    try:
        yield process
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process: SIGTERM, then SIGKILL after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def backend(env: Mapping[str, str], workers: int = 1, port: int | None = None) -> Iterator[str]:
    """`python -m backend` with these settings (several uvicorn workers: the app factory served
    by `uvicorn --workers`, like several `python -m backend` behind one port); yields its URL."""
    port = port or free_port()
    settings = {"BACKEND_HOST": LOOPBACK, "BACKEND_PORT": str(port), "LOG_LEVEL": "WARNING", **env}
    base = f"http://{LOOPBACK}:{port}"
    args = [sys.executable, "-m", "backend"]
    if workers > 1:
        args = _uvicorn("backend.entrypoints.app:create_app", port, workers, "--factory")
    with running(args, settings, f"{base}/healthz"):
        yield base


@contextmanager
def empty_app(workers: int = 1) -> Iterator[str]:
    """The same uvicorn set-up serving `bench/gateway_empty_app.py` (the baseline)."""
    port = free_port()
    args = _uvicorn("gateway_empty_app:app", port, workers, "--app-dir", str(ROOT / "bench"))
    base = f"http://{LOOPBACK}:{port}"
    with running(args, {}, f"{base}/healthz"):
        yield base


def _uvicorn(app: str, port: int, workers: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, *extra, "--host", LOOPBACK, "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
