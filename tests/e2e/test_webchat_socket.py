"""The web chat page in headless Chromium against the real app (a fake Rasa, no Redis): it loads
nothing from another origin, and when its WebSocket drops it reconnects by itself and carries on
without showing anything twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect, sync_playwright

from backend.entrypoints.app import create_app
from backend.settings import Settings
from tests.conftest import isolated_database
from tests.e2e.console.browser_kit import CHROMIUM_ARGS, ServerThread, free_port
from tests.integration.gateway.fake_rasa import FakeRasaServer

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chat_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (gateway and web chat) served by uvicorn, answering through a fake Rasa."""
    port = free_port()
    with isolated_database("ioc_webchat") as url, FakeRasaServer() as rasa:
        settings = Settings(
            database_url=url, redis_url=None, rasa_url=rasa.base_url, rasa_gateway_token=rasa.token,
            secret_key="webchat-socket", media_dir=tmp_path_factory.mktemp("webchat-media"),
            public_base_url=f"http://127.0.0.1:{port}",
        )  # fmt: skip
        with ServerThread(create_app(settings), port):
            yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _say(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")
    expect(page.locator("li.msg--out", has_text=f"Bot đã nhận: {text}")).to_have_count(1)


def test_the_page_loads_nothing_from_another_origin(chat_origin: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{chat_origin}/chat")
    expect(page.locator("#status")).to_have_text("Trực tuyến")

    assert requested and all(url.startswith(f"{chat_origin}/") for url in requested)
    context.close()


def test_a_dropped_socket_reconnects_and_nothing_is_shown_twice(chat_origin: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    sockets: list[WebSocketRoute] = []

    def relay(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    context.route_web_socket("**/chat/ws*", relay)
    page = context.new_page()
    page.goto(f"{chat_origin}/chat")
    expect(page.locator("#status")).to_have_text("Trực tuyến")
    _say(page, "xin chào")

    sockets[-1].close(code=1012, reason="server restart")  # the page's socket drops

    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=15_000)
    _say(page, "tôi vẫn ở đây")
    assert len(sockets) == 2
    assert page.locator("li.msg--in").all_text_contents() == ["xin chào", "tôi vẫn ở đây"]
    expect(page.locator("li.msg--out", has_text="Bot đã nhận: xin chào")).to_have_count(1)
    context.close()
