"""Working a ticket: a reply reaches the citizen's (fake) Telegram; status, SLA and overdue display."""

from __future__ import annotations

from datetime import timedelta

from browser_kit import file_ticket, log_in, marker, wait_until
from playwright.sync_api import Page, expect
from sqlalchemy import update

from backend.adapters.db.base import utcnow
from backend.adapters.db.models import Ticket
from backend.bootstrap import Container
from tests.fakes import FakeTelegramServer


def test_reply_reaches_the_citizen_on_telegram(
    page: Page, base_url: str, accounts: dict[str, str], api, worker: None, telegram: FakeTelegramServer
) -> None:
    ticket = file_ticket(api, f"Rác thải bốc mùi {marker()}")
    chat_id = ticket["contact"]["channel_user_id"]
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    page.select_option("#canned", index=1)
    canned = page.input_value("#reply-text")
    assert canned.startswith("Cảm ơn anh/chị đã phản ánh.")
    page.fill("#reply-text", canned + " Hẹn anh/chị trong chiều nay.")
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("Đã gửi trả lời tới công dân")
    expect(page.locator("#thread")).to_contain_text("Hẹn anh/chị trong chiều nay.")

    sent = wait_until(
        lambda: [
            c
            for c in telegram.sent("sendMessage", chat_id)
            if "Hẹn anh/chị trong chiều nay." in c.params["text"]
        ],
        30,
        "the reply never reached the fake Telegram API",
    )
    assert len(sent) == 1
    reply_row = page.locator("#deliveries tr", has_text="Trả lời của cán bộ")
    wait_until(
        lambda: page.reload() and "Đã gửi tới công dân" in reply_row.inner_text(), 30, "state not shown"
    )
    expect(reply_row.locator(".badge")).to_have_class("badge dl-delivered")


def test_status_change_with_reason_and_sla_countdown(
    page: Page, base_url: str, accounts: dict[str, str], api
) -> None:
    ticket = file_ticket(api, f"Cây xanh gãy cành {marker()}")
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#ticket-status")).to_have_text("Đã chuyển đơn vị xử lý")
    expect(page.locator("#countdown")).to_contain_text("Còn ")
    expect(page.locator("#sla .badge.overdue")).to_have_count(0)

    page.click("#status-form button[type=submit]")  # no reason: the browser refuses (required)
    expect(page.locator("#ticket-status")).to_have_text("Đã chuyển đơn vị xử lý")
    page.select_option("#new-status", "in_progress")
    page.fill("#status-reason", "Đã cử tổ công tác đến hiện trường.")
    page.click("#status-form button[type=submit]")
    expect(page.locator(".flash.ok")).to_have_text("Đã cập nhật trạng thái phản ánh.")
    expect(page.locator("#ticket-status")).to_have_text("Đang xử lý")
    expect(page.locator("#audit")).to_contain_text("Đã chuyển đơn vị xử lý → Đang xử lý")

    page.select_option("#new-status", "resolved")
    page.fill("#status-reason", " ")
    page.evaluate("document.getElementById('status-reason').removeAttribute('required')")
    page.click("#status-form button[type=submit]")
    expect(page.locator(".flash.err")).to_have_text("Vui lòng nhập lý do đổi trạng thái.")


def test_overdue_ticket_shows_badge_and_late_countdown(
    page: Page, base_url: str, accounts: dict[str, str], api, container: Container
) -> None:
    word = marker()
    ticket = file_ticket(api, f"Nắp hố ga bị vỡ {word}")
    with container.session_factory() as session:  # the deadline passed two days ago
        late = utcnow() - timedelta(days=2, hours=3)
        session.execute(update(Ticket).where(Ticket.code == ticket["code"]).values(due_at=late))
        session.commit()
    log_in(page, base_url, accounts["tam_ky"])
    page.goto(f"{base_url}/console?overdue=true&q={word}")
    row = page.locator(f"tr[data-code='{ticket['code']}']")
    expect(row.locator(".badge.overdue")).to_have_text("Quá hạn")
    row.locator("td.desc").click()
    expect(page).to_have_url(f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#countdown")).to_contain_text("Quá hạn 2 ngày")
    expect(page.locator("#sla")).to_have_class("card sla is-overdue")
