"""The ticket page's forms: re-route, duplicate, note, take over and hand back, with Vietnamese errors."""

from __future__ import annotations

from console_ui_kit import PASSWORD, file_ticket, page_token, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.models import Ticket
from backend.bootstrap import Container
from backend.services.handoff import is_handed_off


def _post(client: TestClient, code: str, action: str, **form: str) -> object:
    token = page_token(client.get(f"/console/tickets/{code}").text)
    return client.post(f"/console/tickets/{code}/{action}", data={**form, "csrf_token": token})


def test_reroute_needs_a_reason_then_forwards(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    code = file_ticket(browser_like, service_headers, "Rác tồn đọng cạnh trường học")
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    refused = _post(browser_like, code, "reroute", department="hoi_an_environment", reason=" ")
    assert refused.status_code == 422
    assert "Vui lòng nhập lý do chuyển phản ánh." in refused.text
    moved = _post(
        browser_like, code, "reroute", department="hoi_an_environment", reason="Thuộc địa bàn Hội An"
    )
    assert moved.headers["location"] == f"/console/tickets/{code}?ok=rerouted"
    assert browser_like.get(f"/console/tickets/{code}").status_code == 404  # no longer this officer's


def test_duplicate_and_note(
    browser_like: TestClient, ui_accounts: dict[str, str], service_headers: dict[str, str]
) -> None:
    original = file_ticket(browser_like, service_headers, "Cống bị tắc trước chợ")
    copy = file_ticket(browser_like, service_headers, "Cống bị tắc trước chợ, nước tràn")
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    assert (
        _post(browser_like, copy, "note", text="Đã gọi tổ trưởng").headers["location"].endswith("?ok=noted")
    )
    same = _post(browser_like, copy, "duplicate", original=copy.lower())
    assert "Không thể đánh dấu phản ánh trùng với chính nó." in same.text
    assert _post(browser_like, copy, "duplicate", original=original).status_code == 303
    page = browser_like.get(f"/console/tickets/{copy}?ok=duplicate").text
    assert "Trùng với phản ánh khác" in page and "Đã gọi tổ trưởng" in page and original in page


def test_take_over_and_hand_back(
    browser_like: TestClient,
    ui_accounts: dict[str, str],
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    code = file_ticket(browser_like, service_headers, "Đốt rác gây khói")
    sign_in(browser_like, ui_accounts["officer"], PASSWORD)
    assert _post(browser_like, code, "takeover").headers["location"].endswith("?ok=taken_over")
    page = browser_like.get(f"/console/tickets/{code}").text
    assert "Cán bộ Lê Văn Cán Bộ đang tiếp quản hội thoại" in page
    with backend_container.session_factory() as session:
        channel, user_id = session.execute(
            select(Ticket.citizen_channel, Ticket.citizen_user_id).where(Ticket.code == code)
        ).one()
    assert is_handed_off(backend_container.session_factory, channel, user_id)
    assert _post(browser_like, code, "handback").status_code == 303
    assert not is_handed_off(backend_container.session_factory, channel, user_id)
    again = _post(browser_like, code, "handback")
    assert again.status_code == 422 and "Hội thoại hiện không do cán bộ tiếp quản." in again.text
