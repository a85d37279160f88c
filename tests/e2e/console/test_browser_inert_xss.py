"""Citizen text is shown as text: script and onerror payloads stay inert, also when they arrive live."""

from __future__ import annotations

from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Page, expect

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def test_payloads_stay_inert_in_inbox_live_row_and_ticket_page(
    page: Page, base_url: str, accounts: dict[str, str], api
) -> None:
    word = marker()
    log_in(page, base_url, accounts["dispatcher"])
    page.goto(f"{base_url}/console")
    expect(page.locator("#live-state")).to_have_text("Đang cập nhật trực tiếp")
    ticket = file_ticket(
        api,
        f"Phản ánh {word} {SCRIPT} {IMAGE}",
        location_text=IMAGE,
        contact={
            "channel": "telegram",
            "channel_user_id": "777000111",
            "display_name": SCRIPT,
            "phone": None,
        },
    )
    live_row = page.locator(f"tr[data-code='{ticket['code']}']")
    expect(live_row).to_have_class("is-new", timeout=20_000)  # arrived over Server-Sent Events
    expect(live_row).to_contain_text(SCRIPT)
    expect(page.locator("#news")).to_be_visible()

    page.goto(f"{base_url}/console?q={word}")
    expect(page.locator(f"tr[data-code='{ticket['code']}'] td.desc")).to_contain_text(IMAGE)
    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#description")).to_contain_text(f"{SCRIPT} {IMAGE}")
    page.click("#contact button")
    expect(page.locator("#contact")).to_contain_text(SCRIPT)

    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert page.dialogs == []  # type: ignore[attr-defined]
