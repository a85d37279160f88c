"""Screenshots of the console for the README: docs/screenshots/{inbox,ticket,dashboard}.png.

Seeds the demo data set into a fresh PostgreSQL database (on the server of DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test), serves the app with uvicorn, logs in with Debian
chromium (Playwright) at 1366x900, saves the pictures, and drops the database.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import uvicorn
from playwright.sync_api import Page, sync_playwright
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.adapters.db.migrate import upgrade  # noqa: E402
from backend.adapters.db.models import Ticket, TicketMessage, TicketPhoto  # noqa: E402
from backend.bootstrap import bootstrap  # noqa: E402
from backend.entrypoints.app import create_app  # noqa: E402
from backend.services.demo_catalog import PASSWORD  # noqa: E402
from backend.services.demo_data import seed_demo  # noqa: E402
from backend.settings import Settings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--lang=vi-VN"]  # fmt: skip


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database on the DATABASE_URL server, dropped afterwards."""
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"ioc_screens_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(server), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(server), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """The app served by uvicorn in a thread."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def showcase_ticket(settings: Settings) -> str:
    """An open demo ticket with photos, coordinates and the longest thread."""
    container = bootstrap(settings)
    with container.session_factory() as session:
        turns = select(func.count()).where(TicketMessage.ticket_id == Ticket.id).scalar_subquery()
        code = session.scalar(
            select(Ticket.code)
            .where(Ticket.status == "in_progress", Ticket.latitude.is_not(None))
            .where(select(TicketPhoto.id).where(TicketPhoto.ticket_id == Ticket.id).exists())
            .order_by(turns.desc(), Ticket.id.desc())
            .limit(1)
        )
    container.engine.dispose()
    return str(code)


def log_in(page: Page, base: str, username: str) -> None:
    """Sign in through the form."""
    page.goto(base + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shoot(base: str, code: str) -> None:
    """Save the three pictures."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for username, path, name in (
            ("dieuphoi", "/console", "inbox"),
            ("dieuphoi", f"/console/tickets/{code}", "ticket"),
            ("lanhdao", "/console/dashboard", "dashboard"),
        ):
            context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
            page = context.new_page()
            log_in(page, base, username)
            page.goto(base + path)  # the inbox keeps its event stream open: no "network idle"
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / f"{name}.png"))
            context.close()
            print(f"saved {OUT / name}.png")
        browser.close()


def main() -> None:
    """Seed, serve, shoot."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with fresh_database() as url, tempfile.TemporaryDirectory() as media:
        settings = Settings(database_url=url, media_dir=Path(media), public_base_url=f"http://127.0.0.1:{port}",
                            secret_key=uuid.uuid4().hex, redis_url=None)  # fmt: skip
        upgrade(url)
        _load_reference(settings)
        print(f"seeded {seed_demo(settings)} demo tickets")
        code = showcase_ticket(settings)
        with serving(settings, port) as base:
            shoot(base, code)


def _load_reference(settings: Settings) -> None:
    container = bootstrap(settings)
    with container.session_factory() as session:
        container.reference_loader.load(session)
    container.engine.dispose()


if __name__ == "__main__":
    main()
