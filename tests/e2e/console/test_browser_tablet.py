"""On a tablet (portrait and landscape) the inbox and the ticket page fit the screen's width and
their key controls can be reached and used."""

from __future__ import annotations

import pytest
from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Locator, Page, expect

TABLETS = [{"width": 820, "height": 1180}, {"width": 1024, "height": 768}]


def assert_no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the screen."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide on a {inner}px screen"


def assert_on_screen(page: Page, control: Locator) -> None:
    """The control, scrolled to, is visible and wholly within the screen's width."""
    control.scroll_into_view_if_needed()
    expect(control).to_be_in_viewport()
    box = control.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= page.viewport_size["width"]  # type: ignore[index]


@pytest.mark.parametrize("screen", TABLETS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_inbox_and_ticket_page_on_a_tablet(
    page: Page, base_url: str, accounts: dict[str, str], api, screen: dict[str, int]
) -> None:
    word = marker()
    ticket = file_ticket(api, f"Cống thoát nước bị tắc {word}")
    page.set_viewport_size(screen)
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console?q={word}")
    assert_no_sideways_scroll(page)
    for control in ("#q", "form.filters button[type=submit]", "nav.status-tabs a >> nth=0"):
        assert_on_screen(page, page.locator(control))
    row = page.locator(f"tr[data-code='{ticket['code']}']")
    assert_on_screen(page, row.locator("td.desc"))
    row.locator("td.desc").click()
    expect(page).to_have_url(f"{base_url}/console/tickets/{ticket['code']}")

    assert_no_sideways_scroll(page)
    for control in ("#ticket-status", "#description", "#countdown", "#status-form button[type=submit]"):
        assert_on_screen(page, page.locator(control))
    assert_on_screen(page, page.locator("#reply-text"))
    page.fill("#reply-text", "Chúng tôi đã cử tổ công tác đến thông cống.")
    submit = page.locator("#reply-form button[type=submit]")
    assert_on_screen(page, submit)
    submit.click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã gửi trả lời tới công dân")
    expect(page.locator("#thread")).to_contain_text("Chúng tôi đã cử tổ công tác đến thông cống.")
    assert_no_sideways_scroll(page)
