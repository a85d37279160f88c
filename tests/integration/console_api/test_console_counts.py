"""The inbox's totals and counts per status stay exact (summary table on PostgreSQL) through every change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console_testkit import HOI_AN_ENV, create_ticket, token
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.bootstrap import Container

INBOX = "/api/v1/console/tickets"
VIEWS: list[dict[str, str]] = [
    {},
    {"status": "assigned,in_progress"},
    {"department": HOI_AN_ENV},
    {"category": "traffic", "unit": "hoi_an_dong"},
    {"department": "tam_ky_environment", "status": "duplicate"},
]
FILTERS = {"department": "department_code", "category": "category_code", "unit": "unit_code"}


def exact(container: Container, params: dict[str, str]) -> dict[str, int]:
    """Counts per status straight from the tickets table (the filter without its status part)."""
    keys = [key for key in FILTERS if key in params]
    where = " AND ".join(f"{FILTERS[key]} = :{key}" for key in keys) or "true"
    query = text(f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status")
    with container.session_factory() as session:
        return {status: int(n) for status, n in session.execute(query, {k: params[k] for k in keys})}


def assert_exact(container: Container, client: TestClient, scope: str | None = None) -> None:
    """Every view's counts and total equal a GROUP BY over the tickets."""
    for view in VIEWS:
        page: dict[str, Any] = client.get(INBOX, params=view).json()
        other_department = scope is not None and view.get("department", scope) != scope
        found = (
            {} if other_department else exact(container, {**view, **({"department": scope} if scope else {})})
        )
        assert {s: n for s, n in page["counts"].items() if n} == found, view
        chosen = view["status"].split(",") if "status" in view else list(found)
        assert page["total"] == sum(found.get(s, 0) for s in chosen), view


def test_counts_stay_exact_after_create_status_change_reroute_and_duplicate(
    client_as: Callable[[str], TestClient],
    api_client: TestClient,
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    dispatcher, officer = client_as("dispatcher"), client_as("officer")
    assert_exact(backend_container, dispatcher)
    first, second = (create_ticket(api_client, service_headers, token()) for _ in range(2))
    create_ticket(api_client, service_headers, token(), category="traffic")
    assert_exact(backend_container, dispatcher)
    assert_exact(backend_container, officer, scope=HOI_AN_ENV)
    moved = dispatcher.post(f"{INBOX}/{first}/status", json={"status": "in_progress", "reason": "Đã cử"})
    assert moved.status_code == 200
    assert_exact(backend_container, dispatcher)
    body = {"department": "tam_ky_environment", "reason": "Địa điểm thuộc Tam Kỳ"}
    assert dispatcher.post(f"{INBOX}/{second}/reroute", json=body).status_code == 200
    assert_exact(backend_container, dispatcher)
    marked = dispatcher.post(f"{INBOX}/{second}/duplicate-of", json={"original_code": first})
    assert marked.status_code == 200 and marked.json()["status"] == "duplicate"
    assert_exact(backend_container, dispatcher)
    assert_exact(backend_container, officer, scope=HOI_AN_ENV)


def test_summary_table_matches_the_tickets_after_a_bulk_update(
    client_as: Callable[[str], TestClient], backend_container: Container
) -> None:
    summary = text(
        "SELECT status, sum(tickets) FROM ticket_status_counts GROUP BY status HAVING sum(tickets) > 0"
    )
    with backend_container.session_factory() as session:
        session.execute(text("UPDATE tickets SET updated_at = updated_at"))  # no key changes: no net delta
        session.commit()
        assert {status: int(n) for status, n in session.execute(summary)} == exact(backend_container, {})
    assert_exact(backend_container, client_as("dispatcher"))
