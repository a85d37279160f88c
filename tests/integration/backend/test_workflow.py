"""Re-routing, re-categorising, duplicates flagged on create, and the audit trail."""

from __future__ import annotations

import pytest
from backend_testkit import create, report, set_status
from fastapi.testclient import TestClient

from backend.bootstrap import Container


def audit_actions(container: Container, code: str) -> list[str]:
    with container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        return [entry.action for entry in uow.tickets.audit_trail(ticket)]


def test_forward_to_another_department_recomputes_sla_and_records_why(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers, area="An Mỹ", category="environment")
    body = {
        "department": "tam_ky_infrastructure",
        "reason": "Cống thoát nước, không phải rác",
        "actor": "cb01",
    }
    response = api_client.post(f"/api/v1/tickets/{code}/reroute", json=body, headers=service_headers)
    assert response.status_code == 200
    assert response.json()["department"]["code"] == "tam_ky_infrastructure"
    with backend_container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        entry = uow.tickets.audit_trail(ticket)[-1]
    assert entry.action == "rerouted" and entry.actor == "cb01"
    assert entry.details["reason"] == body["reason"]
    assert entry.details["from_department"] == "tam_ky_environment"


def test_recategorise_reroutes_and_uses_the_new_sla(
    api_client: TestClient, service_headers: dict[str, str]
) -> None:
    code, _ = create(api_client, service_headers, area="Hội An Tây", category="environment")
    body = {"category": "urban_order", "reason": "Xây dựng lấn chiếm"}
    response = api_client.post(f"/api/v1/tickets/{code}/reroute", json=body, headers=service_headers)
    assert response.json()["category"] == "urban_order"
    assert response.json()["department"]["code"] == "ubnd_hoi_an_tay"
    bad = api_client.post(f"/api/v1/tickets/{code}/reroute", json={"reason": "x"}, headers=service_headers)
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
