"""Telegram journey through the real gateway, Rasa, action server, backend and worker."""

from __future__ import annotations

import random

from tests.e2e.citizens import TelegramCitizen
from tests.e2e.conftest import E2E, WEBHOOK_SECRET
from tests.e2e.journey import LOCATION, Official, file_report, ticket_row, work_and_rate


def test_report_status_update_and_rating_on_telegram(e2e: E2E) -> None:
    citizen = TelegramCitizen(e2e.url, WEBHOOK_SECRET, e2e.telegram, random.randint(10**8, 10**9))

    code = file_report(citizen)
    ticket = ticket_row(e2e.database_url, code)
    replies = work_and_rate(citizen, Official(e2e.url, e2e.service_token), code)

    assert ticket["category_code"] == "environment" and ticket["photos"] >= 1
    assert ticket["latitude"] == LOCATION[0]  # the shared location reached the ticket
    assert (ticket["citizen_channel"], ticket["citizen_user_id"]) == ("telegram", str(citizen.chat_id))
    assert any(code in reply.text and "đang được" in reply.text for reply in replies)
    assert any(len(reply.buttons) == 5 for reply in replies)
    assert any("5/5" in reply.text for reply in replies)
    assert ticket_row(e2e.database_url, code)["rating_score"] == 5
