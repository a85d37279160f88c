"""The failed-deliveries page in Chromium: a bot reply that died is listed from the navigation with
its Vietnamese label and masked recipient, and "Gửi lại" hands it to the worker, which delivers it."""

from __future__ import annotations

import uuid

from browser_kit import log_in, marker, wait_until
from playwright.sync_api import Page, expect

from backend.adapters.db.models import OutboxMessage
from backend.bootstrap import Container
from tests.fakes import FakeTelegramServer


def _dead_bot_reply(container: Container, chat_id: str, text: str) -> int:
    """A bot reply the worker gave up on (written as the worker leaves it)."""
    with container.session_factory() as session:
        row = OutboxMessage(
            ticket_id=None, channel="telegram", channel_user_id=chat_id, kind="bot_reply",
            payload={"text": text, "buttons": []}, idempotency_key=f"e2e:{uuid.uuid4().hex}",
            state="dead", attempts=8, last_error="gave up after 8 attempts: Telegram send: Bad Gateway",
        )  # fmt: skip
        session.add(row)
        session.commit()
        return row.id


def test_dispatcher_sends_a_dead_bot_reply_again(
    page: Page,
    base_url: str,
    accounts: dict[str, str],
    container: Container,
    worker: None,
    telegram: FakeTelegramServer,
) -> None:
    chat_id = str(10**8 + uuid.uuid4().int % (9 * 10**8))
    text = f"Trợ lý ảo xin trả lời {marker()}"
    row_id = _dead_bot_reply(container, chat_id, text)
    log_in(page, base_url, accounts["dispatcher"])

    expect(page.locator("#nav-deliveries .nav-count")).to_be_visible()
    page.click("#nav-deliveries")
    row = page.locator(f'#failed-deliveries tr[data-id="{row_id}"]')
    expect(row).to_contain_text("Trả lời của trợ lý ảo")
    expect(row).to_contain_text(f"{chat_id[:2]}***{chat_id[-2:]}")
    expect(row).not_to_contain_text(chat_id)
    expect(row.locator(".badge")).to_have_text("Gửi thất bại")
    row.get_by_role("button", name="Gửi lại").click()

    expect(page.locator(".flash.ok")).to_contain_text("Đã đưa tin vào hàng đợi gửi lại")
    expect(row).to_have_count(0)
    wait_until(
        lambda: [c for c in telegram.sent("sendMessage", chat_id) if c.params["text"] == text],
        30,
        "the bot reply sent again never reached the fake Telegram API",
    )
