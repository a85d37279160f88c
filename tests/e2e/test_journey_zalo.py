"""Zalo OA journey with signed webhooks through the real stack."""

from __future__ import annotations

import random

from tests.e2e.citizens import ZaloCitizen
from tests.e2e.conftest import E2E, OA_SECRET_KEY
from tests.e2e.journey import LOCATION, Official, file_report, ticket_row, work_and_rate


def test_report_status_update_and_rating_on_zalo(e2e: E2E) -> None:
    citizen = ZaloCitizen(e2e.url, OA_SECRET_KEY, e2e.zalo, str(random.randint(10**15, 10**16)))

    code = file_report(citizen)
    ticket = ticket_row(e2e.database_url, code)
    replies = work_and_rate(citizen, Official(e2e.url, e2e.service_token), code)

    assert ticket["category_code"] == "environment" and ticket["photos"] >= 1
    assert ticket["latitude"] == LOCATION[0]  # the shared location reached the ticket
    assert ticket["citizen_channel"] == "zalo"
    assert any(code in reply.text and "đang được" in reply.text for reply in replies)
    assert any("5/5" in reply.text for reply in replies)
    assert ticket_row(e2e.database_url, code)["rating_score"] == 5
