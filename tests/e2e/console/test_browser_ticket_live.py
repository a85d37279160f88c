"""An open ticket page updates live: the citizen's Telegram message, another official's reply
and its delivery state, and a status change, all without a reload (and citizen text stays inert)."""

from __future__ import annotations

import httpx
from browser_kit import citizen_says, file_ticket, log_in, marker
from playwright.sync_api import Browser, Page, expect

IMAGE = "<img src=x onerror=alert(1)>"


def test_ticket_page_shows_new_messages_deliveries_and_status_without_reload(
    page: Page, browser: Browser, base_url: str, accounts: dict[str, str], api: httpx.Client, worker: None
) -> None:
    ticket = file_ticket(api, f"Nước thải tràn ra đường {marker()}")
    code, chat_id = ticket["code"], int(ticket["contact"]["channel_user_id"])
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console/tickets/{code}")
    page.click("text=Tiếp quản hội thoại")  # the citizen's next message goes to the thread, not the bot
    expect(page.locator(".flash.ok")).to_contain_text("Anh/chị đã tiếp quản hội thoại")
    expect(page.locator("#live-state")).to_have_text("Đang cập nhật trực tiếp")
    page.evaluate("window.stillTheSamePage = true")

    question = f"Bao giờ có người đến xử lý ạ? {marker()} {IMAGE}"
    citizen_says(base_url, chat_id, question)
    expect(page.locator("#thread .from-citizen").last).to_contain_text(question, timeout=20_000)
    expect(page.locator("#ticket-news")).to_contain_text("Công dân vừa nhắn thêm")

    reply = f"Đội vệ sinh sẽ đến trong chiều nay {marker()}"
    _dispatcher_acts(browser, base_url, accounts["dispatcher"], code, reply)
    expect(page.locator("#thread .from-official").last).to_contain_text(reply, timeout=20_000)
    delivered = page.locator("#deliveries tr", has_text=reply)
    expect(delivered.locator(".badge")).to_have_text("Đã gửi tới công dân", timeout=20_000)
    expect(page.locator("#ticket-status .badge")).to_have_text("Đang xử lý", timeout=20_000)

    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def _dispatcher_acts(browser: Browser, base_url: str, username: str, code: str, reply: str) -> None:
    """In a browser of their own, a dispatcher replies to the citizen and starts processing."""
    context = browser.new_context(locale="vi-VN")
    try:
        other = context.new_page()
        log_in(other, base_url, username)
        other.goto(f"{base_url}/console/tickets/{code}")
        other.fill("#reply-text", reply)
        other.click("#reply-form button[type=submit]")
        expect(other.locator(".flash.ok")).to_contain_text("Đã gửi trả lời")
        other.select_option("#new-status", "in_progress")
        other.fill("#status-reason", "Đã giao đội vệ sinh môi trường")
        other.click("#status-form button[type=submit]")
        expect(other.locator(".flash.ok")).to_have_text("Đã cập nhật trạng thái phản ánh.")
    finally:
        context.close()
