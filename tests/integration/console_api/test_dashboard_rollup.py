"""The dashboard's figures from the rollups (PostgreSQL triggers) equal the figures computed from the
tickets, through creation, resolution, ratings, reopening, re-routing, duplicates, rejection, bulk
updates, deletion and truncation, for periods of days, whole months and open ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from console_testkit import Clock, create_ticket, token
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.bootstrap import Container
from backend.services.statistics import StatsQuery, figures_from_rollups, figures_from_tickets

START = datetime(2024, 1, 29, 1, 0, tzinfo=UTC)  # tickets over five weeks across three months
AREAS = ("Cẩm Châu", "Tân Thạnh", "Sơn Phong", "một nơi không ai biết")  # the last: no unit
CATEGORIES = ("environment", "traffic", "security", "infrastructure")
CHANNELS = ("telegram", "zalo", "webchat")
QUERIES = [
    StatsQuery(),
    StatsQuery(date(2024, 1, 29), date(2024, 3, 4)),
    StatsQuery(date(2024, 2, 1), date(2024, 2, 29), bucket="month"),
    StatsQuery(date(2024, 1, 30), date(2024, 3, 2), bucket="week"),
    StatsQuery(date(2024, 1, 1), date(2024, 3, 31), bucket="month"),
    StatsQuery(date(2024, 2, 10), None, bucket="month"),
    StatsQuery(None, date(2024, 2, 20), unit="hoi_an_dong"),
    StatsQuery(date(2024, 1, 29), date(2024, 3, 4), category="traffic"),
    StatsQuery(date(2024, 1, 29), date(2024, 3, 4), department="hoi_an_environment", bucket="week"),
    StatsQuery(date(2024, 2, 14), date(2024, 2, 14)),
    StatsQuery(date(2024, 3, 8), date(2024, 3, 8)),  # only the copies below, deleted later
]
COPY = """
INSERT INTO tickets (code, status, category_code, description, unit_code, town_code, department_code,
  routing_match, citizen_channel, citizen_user_id, due_at, created_at, updated_at, resolved_at, rating_score)
SELECT 'COPY-' || code, status, category_code, description, unit_code, town_code, department_code,
  routing_match, citizen_channel, citizen_user_id, due_at, created_at + interval '39 days',
  updated_at, resolved_at + interval '39 days', rating_score
FROM tickets WHERE code = ANY(:codes)
"""


def assert_same_figures(container: Container, now: datetime) -> None:
    """Every query gives exactly the same figures from the rollups as from the tickets."""
    for query in QUERIES:
        with container.session_factory() as session:
            rolled = figures_from_rollups(session, query, now)
        with container.session_factory() as session:
            direct = figures_from_tickets(session, query, now)
        assert json.dumps(rolled, sort_keys=True) == json.dumps(direct, sort_keys=True), query


def status(client: TestClient, headers: dict[str, str], code: str, goal: str, **body: Any) -> None:
    """Change a ticket's status through the service API (resolved and rejected get a text)."""
    body = {
        "status": goal,
        **({"text": "Đã xử lý xong."} if goal in ("resolved", "rejected") else {}),
        **body,
    }
    response = client.post(f"/api/v1/tickets/{code}/status", json=body, headers=headers)
    assert response.status_code == 200, response.text


def rate(client: TestClient, headers: dict[str, str], code: str, contact: dict[str, str], score: int) -> None:
    """The citizen rates the ticket."""
    body = {"channel": contact["channel"], "channel_user_id": contact["channel_user_id"], "score": score}
    response = client.post(f"/api/v1/tickets/{code}/rating", json=body, headers=headers)
    assert response.status_code == 200, response.text


@pytest.fixture
def varied_tickets(
    past: TestClient, past_clock: Clock, service_headers: dict[str, str]
) -> Iterator[list[str]]:
    """36 tickets over five weeks: varied areas, categories and channels; most resolved after
    varied times (two with the same duration), some rated, reopened, re-routed, rejected or
    marked duplicate; the clock is put back afterwards."""
    saved, codes = past_clock.now, []
    for i in range(36):
        past_clock.now = START + timedelta(days=i, hours=(i * 7) % 11)
        contact = {"channel": CHANNELS[i % 3], "channel_user_id": f"u-{token()}"}
        overrides = {"category": CATEGORIES[i % 4], "area": AREAS[i % 4], "contact": contact}
        codes.append(create_ticket(past, service_headers, token(), **overrides))
        if i % 6 == 5:
            continue  # stays new
        found = past.get(f"/api/v1/tickets/{codes[-1]}", params=contact, headers=service_headers).json()
        if found["status"] == "new":
            status(past, service_headers, codes[-1], "assigned")
        if i % 4 == 1:
            status(past, service_headers, codes[-1], "in_progress")
        past_clock.now += timedelta(hours=3 + (i * 13) % 90 if i not in (8, 16) else 30)
        status(past, service_headers, codes[-1], "resolved" if i % 9 else "rejected")
        if i % 9 and i % 2:
            rate(past, service_headers, codes[-1], contact, 1 + i % 5)
    past_clock.now = START + timedelta(days=40)
    status(past, service_headers, codes[1], "in_progress")  # reopened: no longer resolved
    reroute = {"reason": "Không đúng địa bàn", "department": "tam_ky_environment"}
    assert past.post(f"/api/v1/tickets/{codes[11]}/reroute", json=reroute, headers=service_headers).is_success
    reroute = {"reason": "Sai đơn vị", "department": "tam_ky_environment", "category": "traffic"}
    assert past.post(f"/api/v1/tickets/{codes[1]}/reroute", json=reroute, headers=service_headers).is_success
    duplicate = {"original_code": codes[0]}
    assert past.post(
        f"/api/v1/tickets/{codes[5]}/duplicate-of", json=duplicate, headers=service_headers
    ).is_success
    yield codes
    past_clock.now = saved


def test_rollups_equal_the_tickets_through_every_change(
    varied_tickets: list[str], backend_container: Container
) -> None:
    now = START + timedelta(days=45)  # after the reopening: open tickets overdue and not yet due
    assert_same_figures(backend_container, now)
    with backend_container.session_factory() as session:
        five_weeks = figures_from_rollups(session, QUERIES[1], now)
    assert None in {row["code"] for row in five_weeks["by_unit"]}  # the unlocated tickets are there
    totals = five_weeks["totals"]
    assert 0 < totals["overdue_open"] < totals["open"] and totals["median_resolution_hours"]
    copied = [f"COPY-{code}" for code in varied_tickets[26:29]]  # created 2024-03-08, one statement
    with backend_container.session_factory() as session:
        session.execute(text(COPY), {"codes": varied_tickets[26:29]})
        session.execute(text("UPDATE tickets SET due_at = due_at - interval '2 days' WHERE code = ANY(:c)"),
                        {"c": varied_tickets[::3]})  # fmt: skip
        session.execute(text("UPDATE tickets SET updated_at = updated_at"))  # no net change
        session.commit()
    assert_same_figures(backend_container, now)
    with backend_container.session_factory() as session:
        session.execute(text("DELETE FROM tickets WHERE code = ANY(:c)"), {"c": copied})
        session.commit()
    assert_same_figures(backend_container, now)


def test_a_rebuild_repairs_rollups_missed_by_disabled_triggers(
    varied_tickets: list[str], backend_container: Container
) -> None:
    now = START + timedelta(days=45)
    with backend_container.session_factory() as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))  # as a restore would
        rate_all = text("UPDATE tickets SET rating_score = 1 WHERE code = ANY(:c)")
        session.execute(rate_all, {"c": varied_tickets})
        session.commit()
    with backend_container.session_factory() as session:
        stale = figures_from_rollups(session, QUERIES[1], now)["csat_distribution"]
        assert stale != figures_from_tickets(session, QUERIES[1], now)["csat_distribution"]
        session.execute(text("SELECT ioc_rebuild_ticket_rollups()"))
        session.commit()
    assert_same_figures(backend_container, now)


def test_truncating_the_tickets_clears_the_rollups(backend_container: Container) -> None:
    tables = (
        "ticket_daily_figures",
        "ticket_monthly_figures",
        "ticket_daily_channels",
        "ticket_monthly_channels",
    )
    with backend_container.session_factory() as session:
        session.execute(text("TRUNCATE tickets CASCADE"))
        assert [session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables] == [0] * 4  # noqa: S608
        session.rollback()  # keep the other tests' tickets
