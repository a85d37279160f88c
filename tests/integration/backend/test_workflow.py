"""Re-routing, re-categorising, duplicates flagged on create, and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from backend_testkit import create, report, set_status
from fastapi.testclient import TestClient

from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.settings import Settings

# Deadlines worked out by hand from reference/holidays.yml: 17:00 local (UTC+7) on the N-th working
# day after the local day of receipt, skipping weekends and the days off 27/4, 30/4 and 1/5/2026.
FRIDAY_0900 = datetime(2026, 4, 24, 2, 0, tzinfo=UTC)  # Fri 24/4 09:00 local
WEDNESDAY_0130 = datetime(2026, 4, 28, 18, 30, tzinfo=UTC)  # Wed 29/4 01:30 local (still Tue in UTC)
FIVE_DAYS_FROM_FRIDAY = "2026-05-06T17:00:00+07:00"  # 28, 29/4, 4, 5, 6/5
SEVEN_DAYS_FROM_FRIDAY = "2026-05-08T17:00:00+07:00"  # 28, 29/4, 4, 5, 6, 7, 8/5
FIVE_DAYS_FROM_WEDNESDAY = "2026-05-08T17:00:00+07:00"  # 4, 5, 6, 7, 8/5


@pytest.fixture(scope="module")
def clock() -> dict[str, datetime]:
    """The time of the `clocked` app: tests set clock["now"]."""
    return {"now": FRIDAY_0900}


@pytest.fixture(scope="module")
def clocked(backend_settings: Settings, clock: dict[str, datetime]) -> Iterator[TestClient]:
    """A client of an app on the test database whose clock is `clock`."""
    container = bootstrap(backend_settings, clock=lambda: clock["now"])
    yield TestClient(create_app(container=container))
    container.engine.dispose()


def filed(client: TestClient, headers: dict[str, str], due_at: str, **overrides: str) -> str:
    """File a ticket, check its deadline is `due_at`; its code."""
    response = client.post("/api/v1/tickets", json=report(**overrides), headers=headers)
    assert response.status_code == 201 and response.json()["due_at"] == due_at, response.text
    return str(response.json()["code"])


def audit_actions(container: Container, code: str) -> list[str]:
    with container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        return [entry.action for entry in uow.tickets.audit_trail(ticket)]


def test_forward_to_another_department_recomputes_sla_and_records_why(
    clocked: TestClient,
    clock: dict[str, datetime],
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    clock["now"] = FRIDAY_0900
    code = filed(clocked, service_headers, FIVE_DAYS_FROM_FRIDAY, area="An Mỹ", category="environment")
    body = {
        "department": "tam_ky_infrastructure",
        "reason": "Cống thoát nước, không phải rác",
        "actor": "cb01",
    }
    clock["now"] = WEDNESDAY_0130
    response = clocked.post(f"/api/v1/tickets/{code}/reroute", json=body, headers=service_headers)
    assert response.status_code == 200
    assert response.json()["department"]["code"] == "tam_ky_infrastructure"
    assert response.json()["due_at"] == FIVE_DAYS_FROM_WEDNESDAY  # the category's 5 days, from the re-route
    with backend_container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        entry = uow.tickets.audit_trail(ticket)[-1]
    assert entry.action == "rerouted" and entry.actor == "cb01"
    assert entry.details["reason"] == body["reason"]
    assert entry.details["from_department"] == "tam_ky_environment"


def test_recategorise_reroutes_and_uses_the_new_sla(
    clocked: TestClient, clock: dict[str, datetime], service_headers: dict[str, str]
) -> None:
    clock["now"] = FRIDAY_0900  # the same time for both: only the SLA (5 → 7 working days) changes
    code = filed(clocked, service_headers, FIVE_DAYS_FROM_FRIDAY, area="Hội An Tây", category="environment")
    body = {"category": "urban_order", "reason": "Xây dựng lấn chiếm"}
    response = clocked.post(f"/api/v1/tickets/{code}/reroute", json=body, headers=service_headers)
    assert response.json()["category"] == "urban_order"
    assert response.json()["department"]["code"] == "ubnd_hoi_an_tay"
    assert response.json()["due_at"] == SEVEN_DAYS_FROM_FRIDAY
    bad = clocked.post(f"/api/v1/tickets/{code}/reroute", json={"reason": "x"}, headers=service_headers)
    assert bad.status_code == 422


def test_closed_ticket_cannot_be_rerouted(api_client: TestClient, service_headers: dict[str, str]) -> None:
    code, _ = create(api_client, service_headers)
    set_status(api_client, service_headers, code, "rejected", "Liên hệ Điện lực")
    body = {"department": "ioc_dispatch", "reason": "thử"}
    assert (
        api_client.post(f"/api/v1/tickets/{code}/reroute", json=body, headers=service_headers).status_code
        == 409
    )


def test_similar_report_in_same_unit_is_flagged_as_possible_duplicate(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    text = "Cột đèn chiếu sáng số 14 bị đổ nghiêng trước trường tiểu học Trần Quốc Toản"
    first, _ = create(
        api_client, service_headers, category="infrastructure", area="Cửa Đại", description=text
    )
    response = api_client.post(
        "/api/v1/tickets",
        json=report(category="infrastructure", area="cua dai", description=text + "!"),
        headers=service_headers,
    )
    assert response.json()["possible_duplicate_of"] == first


def test_audit_trail_is_complete(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    set_status(api_client, service_headers, code, "in_progress")
    assert audit_actions(backend_container, code)[:3] == ["created", "routed", "status_changed"]
    assert audit_actions(backend_container, code)[-1] == "status_changed"


def test_audit_entries_cannot_be_changed(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    with backend_container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        entry = uow.tickets.audit_trail(ticket)[0]
        entry.action = "forged"
        with pytest.raises(PermissionError):
            uow.commit()
    assert audit_actions(backend_container, code)[0] == "created"
