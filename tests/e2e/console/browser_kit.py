"""Helpers of the console's browser tests: a real server in a thread, log-in, ticket filing."""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn
from playwright.sync_api import Page

from tests.fakes.telegram_updates import text_update
from tests.polling import wait_until

PASSWORD = "mat-khau-trinh-duyet-2026"
WEBHOOK_SECRET = "e2e-console-webhook-secret"
TAM_KY_ENV = "tam_ky_environment"  # environment reports from Tân Thạnh
HOI_AN_ENV = "hoi_an_environment"  # environment reports from Cẩm Châu
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ACCOUNTS = {
    "dispatcher": ("e2e.dieuphoi", "Trần Thị Điều Phối", "dispatcher", None),
    "tam_ky": ("e2e.tamky", "Lê Văn Tam Kỳ", "officer", TAM_KY_ENV),
    "hoi_an": ("e2e.hoian", "Võ Thị Hội An", "officer", HOI_AN_ENV),
    "leader": ("e2e.lanhdao", "Đặng Văn Lãnh Đạo", "leader", None),
    "locked": ("e2e.khoa", "Phạm Văn Khóa", "officer", TAM_KY_ENV),
}


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """uvicorn serving an app in a background thread."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        wait_until(lambda: self.server.started, 30, "the app did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def marker() -> str:
    """A word no other test uses."""
    return f"mk{uuid.uuid4().hex[:10]}"


def file_ticket(api: httpx.Client, text: str, area: str = "Tân Thạnh", **overrides: Any) -> dict[str, Any]:
    """File a ticket through the bot API (as the action server does); returns the answer."""
    body: dict[str, Any] = {
        "category": "environment",
        "description": text,
        "location_text": "đường Phan Châu Trinh",
        "area": area,
        "latitude": 15.5736,
        "longitude": 108.474,
        "contact": {
            "channel": "telegram",
            "channel_user_id": str(uuid.uuid4().int % 10**9),
            "display_name": "Nguyễn Văn Dân",
            "phone": "0905123456",
        },
    }
    body.update(overrides)
    response = api.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return {**response.json(), "contact": body["contact"]}


def citizen_says(base_url: str, chat_id: int, text: str) -> None:
    """A citizen's Telegram message, through the public webhook."""
    answer = httpx.post(
        f"{base_url}/webhooks/telegram",
        json=text_update(chat_id, text),
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )
    assert answer.status_code == 200, answer.text


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill and submit the log-in form."""
    page.goto(base_url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@contextlib.contextmanager
def another_site(html: str) -> Iterator[str]:
    """A page of another origin (its own port) serving `html`; yields its URL."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
