"""The real product as subprocesses on free ports: backend (uvicorn), worker, Rasa server and
action server, pointed at fake Telegram and Zalo APIs. Used by the e2e journeys.

Rasa and the action server are private as in production: on 127.0.0.1, the gateway channel behind
RASA_GATEWAY_TOKEN, the action server behind ACTION_TOKEN. Rasa's HTTP API is on, as an operator
may ask for it (RASA_ENABLE_API), so only with its auth token (RASA_API_TOKEN)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[2]
APP_PY = ROOT / ".venv" / "bin" / "python"
BOT_PY = ROOT / ".venv-bot" / "bin" / "python"
RASA = ROOT / ".venv-bot" / "bin" / "rasa"
MODELS = ROOT / "models"
RASA_READY_SECONDS = 240.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def endpoints_yaml(action_port: int, redis_url: str, key_prefix: str, tracker_url: str | None) -> str:
    """Rasa endpoints: our action server (with its token), a Redis lock store and the SQL tracker
    store at ``tracker_url`` (as in bot/endpoints.redis.yml; None: Rasa's in-memory store)."""
    redis = urlparse(redis_url)
    tracker = f"tracker_store:\n  type: SQL\n  url: {tracker_url}\n" if tracker_url else ""
    return tracker + (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${ACTION_TOKEN}\n"
        f"lock_store:\n  type: redis\n  url: {redis.hostname or '127.0.0.1'}\n  port: {redis.port or 6379}\n"
        f"  db: {(redis.path or '/0').lstrip('/') or '0'}\n  key_prefix: {key_prefix}\n"
    )


@dataclass
class Process:
    """One started process and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        """The end of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit (only this process group: we started it)."""
        if self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def new_secret() -> str:
    """A random secret, long enough for every check of the bot's perimeter."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class BotSecrets:
    """The secrets that keep Rasa and the action server private to the backend."""

    gateway_token: str = field(default_factory=new_secret)
    action_token: str = field(default_factory=new_secret)
    api_token: str = field(default_factory=new_secret)

    def env(self) -> dict[str, str]:
        """As the processes read them (RASA_API_TOKEN goes on Rasa's command line)."""
        return {"RASA_GATEWAY_TOKEN": self.gateway_token, "ACTION_TOKEN": self.action_token}


def actions_argv(port: int) -> list[str]:
    """The private action server (actions/server.py) on 127.0.0.1 (its default)."""
    return [str(BOT_PY), "-m", "actions.server", "--port", str(port)]


def rasa_argv(port: int, endpoints: Path, api_token: str | None = None) -> list[str]:
    """Rasa on 127.0.0.1 with the gateway channel; its HTTP API only when given an auth token."""
    api = ["--enable-api", "--auth-token", api_token] if api_token else []
    files = ["--model", str(MODELS), "--endpoints", str(endpoints), "--credentials", "bot/credentials.yml"]
    return [str(RASA), "run", *api, *files, "--interface", "127.0.0.1", "--port", str(port)]


@dataclass
class Stack:
    """Ports, environment and the processes of one e2e session."""

    workdir: Path
    env: dict[str, str]
    backend_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    replica_ports: list[int] = field(default_factory=list)  # more Rasa replicas behind the gateway
    action_port: int = field(default_factory=free_port)
    secrets: BotSecrets = field(default_factory=BotSecrets)
    processes: list[Process] = field(default_factory=list)

    @property
    def backend_url(self) -> str:
        """Where the backend listens."""
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def rasa_url(self) -> str:
        """Where Rasa listens."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_urls(self) -> str:
        """RASA_URL: every replica, comma-separated."""
        return ",".join(f"http://127.0.0.1:{port}" for port in [self.rasa_port, *self.replica_ports])

    def start(self, name: str, argv: list[str], extra_env: dict[str, str] | None = None) -> Process:
        """Start a process in its own group, logging to workdir/<name>.log."""
        log = self.workdir / f"{name}.log"
        with log.open("wb") as handle:
            popen = subprocess.Popen(
                argv, cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=handle,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start_all(self, redis_url: str, tracker_url: str | None) -> None:
        """Action server, Rasa (and its replicas), backend and worker."""
        endpoints = self.workdir / "endpoints.yml"
        prefix = f"ioc_e2e_{self.rasa_port}"
        endpoints.write_text(endpoints_yaml(self.action_port, redis_url, prefix, tracker_url))
        self.start("actions", actions_argv(self.action_port))
        for index, port in enumerate([self.rasa_port, *self.replica_ports]):
            self.start(f"rasa{index or ''}", rasa_argv(port, endpoints, self.secrets.api_token))
        self.start("backend", [str(APP_PY), "-m", "backend"])
        self.start("worker", [str(APP_PY), "-m", "backend.entrypoints.workers"])

    def wait_ready(self) -> None:
        """Wait for the backend, the action server and every Rasa replica (its model loaded)."""
        self._wait("backend", lambda: httpx.get(f"{self.backend_url}/healthz").status_code == 200)
        self._wait(
            "actions", lambda: httpx.get(f"http://127.0.0.1:{self.action_port}/health").status_code == 200
        )
        for port in [self.rasa_port, *self.replica_ports]:
            self.wait_rasa(port)

    def wait_rasa(self, port: int) -> None:
        """Wait until the Rasa on ``port`` has loaded its model."""
        status = f"http://127.0.0.1:{port}/status?token={self.secrets.api_token}"
        self._wait("rasa", lambda: bool(httpx.get(status).json().get("model_file")))

    def kill(self, name: str) -> Process:
        """SIGKILL one process (a crash: nothing flushed, nothing said goodbye); return it."""
        process = next(p for p in self.processes if p.name == name and p.popen.poll() is None)
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)
        self.processes.remove(process)
        return process

    def restart(self, process: Process) -> Process:
        """Start a killed process again with the same command line, logging to a new file."""
        return self.start(f"{process.name}-again", [str(arg) for arg in process.popen.args])  # type: ignore[union-attr]

    def _wait(self, name: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + RASA_READY_SECONDS
        while time.monotonic() < deadline:
            self._fail_if_exited()
            try:
                if check():
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready\n" + self.logs())

    def _fail_if_exited(self) -> None:
        for process in self.processes:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited with {process.popen.returncode}\n" + self.logs())

    def logs(self) -> str:
        """The tails of every log."""
        return "\n".join(process.tail() for process in self.processes)

    def stop_all(self) -> None:
        """Stop every process we started."""
        for process in reversed(self.processes):
            process.stop()
