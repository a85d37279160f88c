"""The real app on a fresh PostgreSQL database, served by uvicorn; the outbox worker; the fake
Telegram Bot API; Debian chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_kit import (
    ACCOUNTS,
    CHROMIUM_ARGS,
    PASSWORD,
    WEBHOOK_SECRET,
    ServerThread,
    free_port,
)
from playwright.sync_api import Browser, Page, sync_playwright

from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.entrypoints.workers.runner import run as run_worker
from backend.services.user_service import UserService
from backend.settings import Settings
from tests.conftest import isolated_database
from tests.fakes import FakeTelegramServer

CHROMIUM = Path("/usr/bin/chromium")
SERVICE_TOKEN = "e2e-console-service-token"


@pytest.fixture(scope="session")
def telegram() -> Iterator[FakeTelegramServer]:
    """The fake Telegram Bot API the citizens' replies go to."""
    with FakeTelegramServer() as server:
        yield server


@pytest.fixture(scope="session")
def port() -> int:
    """The app's port."""
    return free_port()


@pytest.fixture(scope="session")
def console_database_url() -> Iterator[str]:
    """The browser suite's own database (its outbox worker must not take other suites' rows)."""
    with isolated_database("ioc_e2e_console") as url:
        yield url


@pytest.fixture(scope="session")
def settings(
    console_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    telegram: FakeTelegramServer,
    port: int,
) -> Settings:
    """Settings of the app under test."""
    return Settings(
        database_url=console_database_url,
        service_token=SERVICE_TOKEN,
        secret_key="e2e-console-secret",
        media_dir=tmp_path_factory.mktemp("console-media"),
        public_base_url=f"http://127.0.0.1:{port}",
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        telegram_bot_token=telegram.token,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_base_url=telegram.api_base_url,
        worker_poll_seconds=0.2,
        dashboard_cache_seconds=0,  # figures follow each test's tickets at once (cache tested elsewhere)
        login_max_failures=3,
    )


@pytest.fixture(scope="session")
def container(settings: Settings) -> Iterator[Container]:
    """The app's container."""
    container = bootstrap(settings)
    yield container
    container.engine.dispose()


@pytest.fixture(scope="session")
def accounts(container: Container) -> dict[str, str]:
    """One account per role: key → user name (password browser_kit.PASSWORD)."""
    users = UserService(container.session_factory)
    for username, full_name, role, department in ACCOUNTS.values():
        users.create(username, PASSWORD, full_name, role, department)
    return {key: value[0] for key, value in ACCOUNTS.items()}


@pytest.fixture(scope="session")
def base_url(container: Container, port: int, accounts: dict[str, str]) -> Iterator[str]:
    """The console's address, served by uvicorn in a thread."""
    with ServerThread(create_app(container=container), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def worker(settings: Settings, base_url: str) -> Iterator[None]:
    """The outbox delivery worker (`python -m backend.entrypoints.workers`) in a thread."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(run_worker(settings, stop),), daemon=True)
    thread.start()
    yield
    loop.call_soon_threadsafe(stop.set)
    thread.join(15)
    loop.close()


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    """The action server's view of the backend: the bot API with the service token."""
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian chromium, per module: other suites start Playwright's sync API of their own."""
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size; JavaScript dialogs are recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    page.set_default_timeout(15_000)
    yield page
    context.close()
