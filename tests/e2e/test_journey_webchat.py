"""Web chat journey in headless Chromium (Debian's, never a downloaded one) through Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.citizens import JPEG
from tests.e2e.conftest import E2E
from tests.e2e.console.browser_kit import another_site
from tests.e2e.journey import LOCATION, Official, Reply, file_report, ticket_row, turn, work_and_rate

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


class WebCitizen:
    """A citizen using the web chat page at phone width."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def say(self, text: str) -> None:
        """Type and send."""
        self.page.fill("#text", text)
        self.page.click("#send")

    def send_photo(self) -> None:
        """Pick a photo: uploaded, then sent as a photo frame."""
        self.page.set_input_files("#photo-input", files=[{"name": "hien-truong.jpg", "mimeType": "image/jpeg",
                                                          "buffer": JPEG}])  # fmt: skip

    def share_location(self, latitude: float, longitude: float) -> None:
        """Press "Chia sẻ vị trí" (the browser context grants the position)."""
        self.page.click("#location-button")

    def choose(self, title: str) -> None:
        """Press the newest enabled button whose title starts with ``title``."""
        buttons = self.page.locator(".msg__buttons button:enabled", has_text=title)
        buttons.last.click()

    def received(self) -> list[Reply]:
        """Bot and system messages shown on the page."""
        items = self.page.locator("li.msg--out").all()
        return [Reply(item.locator("div").first.text_content() or "" if item.locator("div").count() else
                      item.text_content() or "",
                      tuple(b.text_content() or "" for b in item.locator(".msg__buttons button").all()))
                for item in items]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_report_live_status_and_rating_in_web_chat(e2e: E2E, browser: Browser) -> None:
    position = {"latitude": LOCATION[0], "longitude": LOCATION[1]}
    context = browser.new_context(
        viewport={"width": 390, "height": 760}, permissions=["geolocation"], geolocation=position
    )
    page = context.new_page()
    page.goto(f"{e2e.url}/chat")
    expect(page.locator("#status")).to_have_text("Trực tuyến")
    citizen = WebCitizen(page)

    code = file_report(citizen)
    replies = work_and_rate(citizen, Official(e2e.url, e2e.service_token), code)
    ticket = ticket_row(e2e.database_url, code)

    assert (
        ticket["category_code"] == "environment"
        and ticket["photos"] >= 1
        and ticket["citizen_channel"] == "webchat"
        and ticket["latitude"] == LOCATION[0]
    )
    assert any(code in reply.text and "đang được" in reply.text for reply in replies)
    assert ticket["rating_score"] == 5
    shown = len(citizen.received())
    page.reload()
    expect(page.locator("li.msg--out")).to_have_count(shown)
    own_photo = page.locator("li.msg--in img").first  # not public: fetched with the chat's session
    expect(own_photo).to_have_attribute("src", re.compile(r"^blob:"))
    context.close()


def test_citizen_text_is_never_html(e2e: E2E, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(f"{e2e.url}/chat")
    expect(page.locator("#status")).to_have_text("Trực tuyến")
    hostile = "<img src=x onerror=\"document.title='owned'\">"

    turn(WebCitizen(page), "say", hostile)

    expect(page.locator("li.msg--in").last).to_have_text(hostile)
    assert page.locator("li.msg img").count() == 0 and page.title() != "owned"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


@pytest.fixture
def partner_site(e2e: E2E) -> Iterator[str]:
    """Another site (another origin) whose page embeds the chat with one script tag."""
    page = (
        f'<html><body><h1>Cổng thông tin</h1><script src="{e2e.url}/chat/widget.js"></script></body></html>'
    )
    with another_site(page) as url:
        yield url


def test_one_script_tag_embeds_the_chat(partner_site: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(partner_site)

    page.get_by_role("button", name="Mở khung phản ánh").click()

    chat = page.frame_locator("iframe[title='Phản ánh hiện trường']")
    expect(chat.locator("#status")).to_have_text("Trực tuyến")
    expect(chat.locator("#location-button")).to_be_visible()
    context.close()
