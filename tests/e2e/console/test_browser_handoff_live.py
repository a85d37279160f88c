"""Take over a conversation; the citizen's next Telegram message reaches the open inbox live."""

from __future__ import annotations

import httpx
from browser_kit import citizen_says, file_ticket, log_in, marker
from playwright.sync_api import Page, expect


def test_citizen_message_after_take_over_appears_without_reload(
    page: Page, base_url: str, accounts: dict[str, str], api: httpx.Client
) -> None:
    ticket = file_ticket(api, f"Rác chất đống trước cổng chợ {marker()}")
    chat_id = int(ticket["contact"]["channel_user_id"])
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    page.click("text=Tiếp quản hội thoại")
    expect(page.locator(".flash.ok")).to_contain_text("Anh/chị đã tiếp quản hội thoại")
    expect(page.locator(".head-badges")).to_contain_text("Lê Văn Tam Kỳ đang tiếp quản hội thoại")

    page.goto(f"{base_url}/console")
    expect(page.locator("#live-state")).to_have_text("Đang cập nhật trực tiếp")
    question = f"Khi nào đội thu gom đến ạ? {marker()}"
    citizen_says(base_url, chat_id, question)
    expect(page.locator("#news-text")).to_contain_text(
        f"Công dân vừa nhắn thêm ở {ticket['code']}", timeout=20_000
    )
    expect(page.locator("#news-text")).to_contain_text(question)

    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#thread .from-citizen").last).to_contain_text(question)
    page.click("text=Trả lại cho trợ lý ảo")
    expect(page.locator(".flash.ok")).to_have_text("Đã trả hội thoại cho trợ lý ảo.")
    expect(page.locator("#audit")).to_contain_text("Trả hội thoại cho trợ lý ảo")
