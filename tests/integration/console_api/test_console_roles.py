"""Each role's allowed and forbidden calls, enforced on the server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from console_testkit import create_ticket, token
from fastapi.testclient import TestClient

CONTACT_SECRETS = ("Nguyễn Văn Bí Mật", "0905 123 456")


@pytest.fixture
def two_departments(api_client: TestClient, service_headers: dict[str, str]) -> tuple[str, str, str]:
    """(marker, Hội An ticket, Tam Kỳ ticket) sharing one marker word."""
    marker = token()
    hoi_an = create_ticket(api_client, service_headers, marker)
    tam_ky = create_ticket(api_client, service_headers, marker, area="Tân Thạnh")
    return marker, hoi_an, tam_ky


def test_officer_sees_only_own_department_by_list_and_by_code(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    marker, hoi_an, tam_ky = two_departments
    officer = client_as("officer")
    listed = officer.get("/api/v1/console/tickets", params={"q": marker}).json()
    assert [i["code"] for i in listed["items"]] == [hoi_an]
    assert listed["total"] == 1 and listed["counts"]["assigned"] == 1
    cross = officer.get("/api/v1/console/tickets", params={"q": marker, "department": "tam_ky_environment"})
    assert cross.json()["total"] == 0
    for url in (f"/api/v1/console/tickets/{tam_ky}", f"/api/v1/console/tickets/{tam_ky}/contact"):
        assert officer.get(url).status_code == 404
    for path, body in (("notes", {"text": "x"}), ("replies", {"text": "x"}), ("handoff", None)):
        response = officer.post(f"/api/v1/console/tickets/{tam_ky}/{path}", json=body)
        assert response.status_code == 404, path
    assert officer.get(f"/api/v1/console/tickets/{hoi_an}").status_code == 200


def test_dispatcher_sees_every_department(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    marker, hoi_an, tam_ky = two_departments
    listed = client_as("dispatcher").get("/api/v1/console/tickets", params={"q": marker, "sort": "code"})
    assert [i["code"] for i in listed.json()["items"]] == [tam_ky, hoi_an]


def test_contact_details_are_for_the_handling_department_and_each_view_is_audited(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    _, hoi_an, _ = two_departments
    officer = client_as("officer")
    detail = officer.get(f"/api/v1/console/tickets/{hoi_an}").json()
    assert detail["contact_visible"] is True
    assert not any(secret in str(detail) for secret in CONTACT_SECRETS)
    contact = officer.get(f"/api/v1/console/tickets/{hoi_an}/contact")
    assert contact.json()["display_name"] == "Nguyễn Văn Bí Mật"
    assert contact.json()["phone"] == "0905 123 456"
    client_as("dispatcher").get(f"/api/v1/console/tickets/{hoi_an}/contact")
    audit = officer.get(f"/api/v1/console/tickets/{hoi_an}").json()["audit"]
    viewers = [a["actor"] for a in audit if a["action"] == "contact_viewed"]
    assert viewers == ["officer:can.bo.hoian", "dispatcher:dieu.phoi"]


def test_leader_gets_statistics_and_export_but_no_tickets_or_contacts(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    marker, hoi_an, _ = two_departments
    leader = client_as("leader")
    assert leader.get("/api/v1/console/tickets").status_code == 403
    assert leader.get(f"/api/v1/console/tickets/{hoi_an}").status_code == 403
    assert leader.get(f"/api/v1/console/tickets/{hoi_an}/contact").status_code == 403
    assert leader.post(f"/api/v1/console/tickets/{hoi_an}/notes", json={"text": "x"}).status_code == 403
    assert leader.get("/api/v1/stats").status_code == 200
    export = leader.get("/api/v1/console/tickets.csv", params={"q": marker})
    assert export.status_code == 200 and hoi_an in export.text
    assert not any(secret in export.text for secret in CONTACT_SECRETS)
    assert "user-" not in export.text


def test_administrator_manages_users_but_not_tickets(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    _, hoi_an, _ = two_departments
    admin = client_as("administrator")
    assert admin.get(f"/api/v1/console/tickets/{hoi_an}").status_code == 403
    assert admin.get("/api/v1/console/tickets.csv").status_code == 403
    created = admin.post(
        "/api/v1/users",
        json={
            "username": "can.bo.moi",
            "password": "mat-khau-moi-1",
            "full_name": "Cán Bộ Mới",
            "role": "officer",
            "department_code": "hoi_an_police",
        },
    )
    assert created.status_code == 201 and created.json()["department_code"] == "hoi_an_police"
    no_department = admin.post(
        "/api/v1/users",
        json={"username": "thieu.don.vi", "password": "mat-khau-moi-1", "full_name": "X", "role": "officer"},
    )
    assert no_department.status_code == 422
    assert "password_hash" not in admin.get("/api/v1/users").text
    for other in ("dispatcher", "officer", "leader"):
        assert client_as(other).get("/api/v1/users").status_code == 403


def test_only_dispatchers_run_bulk_actions(
    client_as: Callable[[str], TestClient], two_departments: tuple[str, str, str]
) -> None:
    _, hoi_an, _ = two_departments
    body = {"codes": [hoi_an], "status": "in_progress", "reason": "bắt đầu xử lý"}
    assert client_as("officer").post("/api/v1/console/tickets/bulk", json=body).status_code == 403
    assert client_as("leader").post("/api/v1/console/tickets/bulk", json=body).status_code == 403


def test_every_console_call_needs_a_session(anonymous: TestClient) -> None:
    for url in ("/api/v1/console/tickets", "/api/v1/stats", "/api/v1/console/tickets.csv", "/api/v1/users"):
        assert anonymous.get(url).status_code == 401, url
