"""A web chat session id is the conversation's only credential: the log of a real backend process
(uvicorn, `python -m backend`) never shows it, though the browser sends it in the query string."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.stack import APP_PY, ROOT, free_port

READY_SECONDS = 60.0


def _serve(database_url: str, port: int, media: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "BACKEND_PORT": str(port), "MEDIA_DIR": str(media),
           "RASA_URL": "http://127.0.0.1:9", "SECRET_KEY": "session-log", "LOG_LEVEL": "INFO"}  # fmt: skip
    env.pop("REDIS_URL", None)
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(APP_PY), "-m", "backend"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base_url}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("backend not ready\n" + log.read_text())


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)  # only the group this test started
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_the_log_of_a_real_backend_never_shows_a_web_chat_session_id(
    database_url: str, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "backend.log"
    session, short = "w" + uuid.uuid4().hex, "wshort" + uuid.uuid4().hex[:6]
    process = _serve(database_url, port, tmp_path / "media", log)
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process, log)
        with connect(f"ws://127.0.0.1:{port}/chat/ws?session_id={session}&after=0") as socket:
            socket.send('{"type": "nothing"}')
            assert "unknown frame type" in str(socket.recv(timeout=10))
        try:
            connect(f"ws://127.0.0.1:{port}/chat/ws?session_id={short}").close()
            raise AssertionError("a short session id was accepted")
        except InvalidStatus as refused:
            assert refused.response.status_code == 403
        httpx.get(f"http://127.0.0.1:{port}/healthz?session_id={session}")
    finally:
        _stop(process)
    printed = log.read_text()

    assert '"WebSocket /chat/ws?session_id=***&after=0" [accepted]' in printed, printed
    assert '"WebSocket /chat/ws?session_id=***" 403' in printed
    assert "GET /healthz?session_id=*** HTTP/1.1" in printed
    assert session not in printed and session[8:] not in printed and short not in printed
