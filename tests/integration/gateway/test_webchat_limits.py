"""Web chat under a flood, against the app served by uvicorn without Redis: open sockets are
capped per client address and in total (429 before the upgrade), messages are limited per address
(a polite Vietnamese answer past it), and idle sockets do not read the database."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, event
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from backend.adapters.db.base import utcnow
from backend.entrypoints.app import create_app
from backend.services.gateway_texts import GATEWAY_TEXTS
from backend.settings import Settings
from tests.conftest import TEST_SERVICE_TOKEN
from tests.integration.gateway.conftest import _worker_pass
from tests.integration.gateway.fake_rasa import FakeRasaServer
from tests.polling import wait_until

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def settings_of(database_url: str, media: Path, rasa: FakeRasaServer, **limits: Any) -> Settings:
    """The app's settings: no Redis, a fake Rasa."""
    return Settings(database_url=database_url, redis_url=None, media_dir=media, rasa_url=rasa.base_url,
                    rasa_ack_timeout=0.5, service_token=TEST_SERVICE_TOKEN, **limits)  # fmt: skip


@contextmanager
def served(database_url: str, media: Path, **limits: Any) -> Iterator[str]:
    """The app on a free loopback port (no Redis, a fake Rasa); yields its ws:// base."""
    with FakeRasaServer() as rasa:
        settings = settings_of(database_url, media, rasa, **limits)
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, 30, "the app did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"ws://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(10)


def session_id() -> str:
    """A fresh session id of the form the page makes ('w' and 128 random bits in hex)."""
    return "w" + uuid.uuid4().hex


def chat(base: str, address: str = "127.0.0.1", session: str | None = None) -> ClientConnection:
    """An open web chat socket from a loopback address."""
    session = session or session_id()
    return connect(f"{base}/chat/ws?session_id={session}", source_address=(address, 0), open_timeout=10)


def refusal(base: str, address: str) -> tuple[int, str]:
    """The status and reason of a socket the app refuses."""
    with pytest.raises(InvalidStatus) as refused:
        chat(base, address)
    response = refused.value.response
    return response.status_code, json.loads(response.body or b"{}")["detail"]


def test_sockets_are_capped_per_address_then_in_total(gateway_database_url: str, tmp_path: Path) -> None:
    with served(gateway_database_url, tmp_path, webchat_sockets_per_ip=2, webchat_sockets_total=3) as base:
        with ExitStack() as held:
            held.enter_context(chat(base, "127.0.0.2"))
            held.enter_context(chat(base, "127.0.0.2"))
            per_address = refusal(base, "127.0.0.2")
            held.enter_context(chat(base, "127.0.0.3"))
            in_total = refusal(base, "127.0.0.4")
        with chat(base, "127.0.0.2"):  # closed sockets no longer count
            pass

    assert per_address == (429, "too many open chat connections from this address (at most 2)")
    assert in_total == (429, "too many open chat connections (at most 3)")


def _say(ws: ClientConnection, session: str, text: str) -> dict[str, Any]:
    frame = {"type": "text", "session_id": session, "client_message_id": uuid.uuid4().hex, "text": text}
    ws.send(json.dumps(frame))
    while True:
        answer = json.loads(ws.recv(timeout=10))
        if answer["type"] in ("ack", "error"):
            return answer


def test_messages_are_limited_per_address_across_sessions(gateway_database_url: str, tmp_path: Path) -> None:
    limits = {"webchat_messages_per_ip_per_minute": 3, "rate_limit_per_minute": 100}
    with served(gateway_database_url, tmp_path, **limits) as base:
        answers = []
        for _ in range(2):  # two sessions the same client made up: the address is what counts
            session = session_id()
            with chat(base, "127.0.0.5", session) as ws:
                answers += [_say(ws, session, "xin chào")["type"] for _ in range(2)]
            last = answers[-1]
        other = session_id()
        with chat(base, "127.0.0.6", other) as ws:
            elsewhere = _say(ws, other, "xin chào")

    assert answers[:3] == ["ack", "ack", "ack"] and last == "error"
    assert elsewhere["type"] == "ack"


def test_refused_messages_and_uploads_get_the_polite_answer(
    gateway_database_url: str, tmp_path: Path
) -> None:
    with served(gateway_database_url, tmp_path, webchat_messages_per_ip_per_minute=1) as base:
        session = session_id()
        with chat(base, "127.0.0.7", session) as ws:
            _say(ws, session, "một")
            refused = _say(ws, session, "hai")
        transport = httpx.HTTPTransport(local_address="127.0.0.7")
        with httpx.Client(transport=transport, base_url=base.replace("ws://", "http://")) as http:
            upload = http.post("/chat/upload", files={"file": ("a.png", PNG, "image/png")},
                               data={"session_id": session})  # fmt: skip

    assert refused == {"type": "error", "reason": GATEWAY_TEXTS["rate_limited"]}
    assert (upload.status_code, upload.json()) == (429, {"detail": GATEWAY_TEXTS["rate_limited"]})


def test_a_turn_written_by_another_process_reaches_the_idle_socket(
    gateway_database_url: str, tmp_path: Path
) -> None:
    session = session_id()
    report = {"category": "environment", "description": "Rác thải đổ trộm ven đường", "area": "Cẩm Châu",
              "contact": {"channel": "webchat", "channel_user_id": session}}  # fmt: skip
    with served(gateway_database_url, tmp_path) as base, chat(base, session=session) as ws:
        http = base.replace("ws://", "http://")
        headers = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
        code = httpx.post(f"{http}/api/v1/tickets", json=report, headers=headers).json()["code"]
        with FakeRasaServer() as rasa:
            # the worker process's pass: without Redis, its wake-ups never reach the app
            asyncio.run(_worker_pass(settings_of(gateway_database_url, tmp_path, rasa), utcnow, sweep=False))
        frame = json.loads(ws.recv(timeout=10))

    assert (frame["type"], frame["direction"]) == ("message", "out")
    assert f"Mã phản ánh của anh/chị là {code}" in frame["text"]


class QueryCount:
    """Statements run by every engine of this process (the app runs in a thread of it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1

    def during(self, seconds: float) -> int:
        """How many statements ran in the next `seconds`."""
        start = self.count
        time.sleep(seconds)
        return self.count - start


def test_idle_sockets_do_not_read_the_database_each(gateway_database_url: str, tmp_path: Path) -> None:
    queries = QueryCount()
    event.listen(Engine, "before_cursor_execute", queries)
    try:
        with served(gateway_database_url, tmp_path, webchat_sockets_per_ip=100) as base, ExitStack() as held:
            held.enter_context(chat(base))
            time.sleep(1.5)  # past the first sockets' reads of their thread
            with_one = queries.during(3.5)
            for _ in range(30):
                held.enter_context(chat(base))
            time.sleep(1.5)
            with_many = queries.during(3.5)
    finally:
        event.remove(Engine, "before_cursor_execute", queries)

    assert with_many <= with_one + 2, (with_one, with_many)


@contextmanager
def backend_process(database_url: str, media: Path) -> Iterator[str]:
    """`python -m backend` (no Redis) on a free loopback port; yields its ws:// base."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": "", "MEDIA_DIR": str(media),
           "BACKEND_PORT": str(port), "BACKEND_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "backend"], env=env)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "the backend did not start")
        yield f"ws://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_an_oversized_frame_closes_the_socket(gateway_database_url: str, tmp_path: Path) -> None:
    session = session_id()
    frame = {"type": "text", "session_id": session, "client_message_id": "big", "text": "x" * 200_000}
    with backend_process(gateway_database_url, tmp_path) as base, chat(base, session=session) as opened:
        opened.send(json.dumps(frame))
        with pytest.raises(ConnectionClosed) as closed:
            opened.recv(timeout=10)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
