"""Console pages: sessions, CSRF, roles and escaping, enforced on the server."""

from __future__ import annotations

from datetime import timedelta

from console_ui_kit import PASSWORD, file_ticket, page_token, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.adapters.db.base import utcnow
from backend.adapters.db.delivery_repository import UNDELIVERABLE, SqlDeliveryRepository
from backend.adapters.db.models import OutboxMessage, Ticket
from backend.bootstrap import Container


def test_pages_without_a_session_go_to_the_log_in(browser_like: TestClient) -> None:
    for path, target in (
        ("/console", "%2Fconsole"),
        ("/console/dashboard?unit=x", "%2Fconsole%2Fdashboard%3Funit%3Dx"),
    ):
        response = browser_like.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/console/login?next={target}"
    assert browser_like.get("/console/events").status_code == 401


def test_log_in_form_needs_its_own_token(browser_like: TestClient, ui_accounts: dict[str, str]) -> None:
    data = {"username": ui_accounts["officer"], "password": PASSWORD, "csrf_token": "forged"}
    response = browser_like.post("/console/login", data=data)
    assert response.status_code == 403
    assert "Phiên đăng nhập đã hết hạn" in response.text
    assert "ioc_session" not in response.cookies


def test_log_in_follows_only_console_paths(browser_like: TestClient, ui_accounts: dict[str, str]) -> None:
    response = sign_in(browser_like, ui_accounts["officer"], PASSWORD, "https://evil.example/console")
    assert response.status_code == 303
    assert response.headers["location"] == "/console"


def test_actions_need_the_csrf_token(
    browser_like: TestClient,
    ui_accounts: dict[str, str],
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    code = file_ticket(browser_like, service_headers, "Rác thải đổ trộm cạnh chợ")
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    before = _outbox_rows(backend_container, code)
    refused = browser_like.post(f"/console/tickets/{code}/reply", data={"text": "Xin chào"})
    assert refused.status_code == 403
    assert _outbox_rows(backend_container, code) == before
    token = page_token(browser_like.get(f"/console/tickets/{code}").text)
    accepted = browser_like.post(
        f"/console/tickets/{code}/reply", data={"text": "Xin chào", "csrf_token": token}
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/console/tickets/{code}?ok=replied"
    assert _outbox_rows(backend_container, code) == before + 1


def test_leader_cannot_work_tickets(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    code = file_ticket(browser_like, service_headers, "Đèn đường không sáng")
    assert sign_in(browser_like, ui_accounts["leader"], PASSWORD).headers["location"] == "/console/dashboard"
    token = page_token(browser_like.get("/console/dashboard").text)
    assert browser_like.get("/console").headers["location"] == "/console/dashboard"
    page = browser_like.get(f"/console/tickets/{code}")
    assert page.status_code == 403
    assert "không có quyền" in page.text
    for action in ("reply", "status", "contact", "takeover"):
        response = browser_like.post(
            f"/console/tickets/{code}/{action}", data={"text": "x", "csrf_token": token}
        )
        assert response.status_code == 403, action
    bulk = browser_like.post("/console/bulk", data={"code": code, "status": "closed", "csrf_token": token})
    assert bulk.status_code == 403


def test_officer_of_another_department_gets_not_found(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    code = file_ticket(browser_like, service_headers, "Xà bần đổ trên vỉa hè", area="Tân Thạnh")
    sign_in(browser_like, ui_accounts["other_officer"], PASSWORD)
    token = page_token(browser_like.get("/console").text)
    assert browser_like.get(f"/console/tickets/{code}").status_code == 404
    response = browser_like.post(
        f"/console/tickets/{code}/status", data={"status": "closed", "reason": "x", "csrf_token": token}
    )
    assert response.status_code == 404


def test_citizen_text_is_escaped(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    code = file_ticket(browser_like, service_headers, f"Rác {payload}")
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    for html in (
        browser_like.get(f"/console/tickets/{code}").text,
        browser_like.get(f"/console?q={code}").text,
    ):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html


def test_ticket_page_links_photos_full_size_and_the_location_on_a_map(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    code = file_ticket(
        browser_like, service_headers, "Rác thải ven sông", latitude=15.5736, longitude=108.474
    )
    photos = []
    for data in (b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64):
        files = {"file": ("anh", data, "application/octet-stream")}
        answer = browser_like.post(f"/api/v1/tickets/{code}/photos", files=files, headers=service_headers)
        assert answer.status_code == 201, answer.text
        photos.append(answer.json()["url"])
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    html = browser_like.get(f"/console/tickets/{code}").text
    for url in photos:  # each thumbnail opens the full-size photo
        assert f'<a href="{url}" class="photo" target="_blank" rel="noopener"><img src="{url}"' in html
    assert "15.57360, 108.47400" in html
    assert (
        'href="https://www.openstreetmap.org/?mlat=15.5736&amp;mlon=108.474#map=18/15.5736/108.474"' in html
    )


def test_flash_messages_are_fixed_texts(browser_like: TestClient, ui_accounts: dict[str, str]) -> None:
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    assert "Đã thực hiện thao tác hàng loạt." in browser_like.get("/console?ok=bulk").text
    assert "tin giả" not in browser_like.get("/console?ok=tin giả").text


def _outbox_rows(container: Container, code: str) -> int:
    with container.session_factory() as session:
        ticket_id = select(Ticket.id).where(Ticket.code == code).scalar_subquery()
        return int(session.scalar(select(func.count()).where(OutboxMessage.ticket_id == ticket_id)) or 0)


def test_deliveries_the_channel_refused_for_good_are_named_in_vietnamese(
    browser_like: TestClient,
    ui_accounts: dict[str, str],
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    code = file_ticket(browser_like, service_headers, "Cống thoát nước bị tắc trước chợ")
    with backend_container.session_factory() as session:  # as a worker settles a Zalo -230 answer
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.code == code))
        ids = session.scalars(select(OutboxMessage.id).where(OutboxMessage.ticket_id == ticket_id)).all()
        deliveries = SqlDeliveryRepository(session)
        for row in deliveries.claim(utcnow(), timedelta(minutes=2), ids=ids):
            deliveries.give_up(row.id, row.attempts, UNDELIVERABLE, "Zalo error -230: no interaction")
        session.commit()
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)

    html = browser_like.get(f"/console/tickets/{code}").text

    assert '<span class="badge dl-undeliverable">Không gửi được: công dân đã chặn hoặc quá 7 ngày' in html
    assert ">undeliverable<" not in html
