"""An officer cannot open another department's ticket, by URL or by API."""

from __future__ import annotations

from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Page, expect


def test_officer_cannot_open_another_departments_ticket(
    page: Page, base_url: str, accounts: dict[str, str], api
) -> None:
    word = marker()
    tam_ky = file_ticket(api, f"Rác thải đổ trộm {word}", area="Tân Thạnh")
    assert tam_ky["department"]["code"] == "tam_ky_environment"
    log_in(page, base_url, accounts["hoi_an"])

    response = page.goto(f"{base_url}/console/tickets/{tam_ky['code']}")
    assert response is not None and response.status == 404
    expect(page.locator(".error-message")).to_have_text("Không tìm thấy phản ánh.")
    expect(page.locator("body")).not_to_contain_text(word)

    for path in ("", "/contact"):
        answer = page.request.get(f"{base_url}/api/v1/console/tickets/{tam_ky['code']}{path}")
        assert answer.status == 404, path
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    reply = page.request.post(
        f"{base_url}/console/tickets/{tam_ky['code']}/reply", form={"text": "xin chào", "csrf_token": token}
    )
    assert reply.status == 404

    page.goto(f"{base_url}/console?q={word}")
    expect(page.locator("#tickets tbody")).to_contain_text("Không có phản ánh nào phù hợp")


def test_officer_sees_own_ticket_and_reveals_the_contact_audited(
    page: Page, base_url: str, accounts: dict[str, str], api
) -> None:
    ticket = file_ticket(api, f"Cống thoát nước bị tắc {marker()}", area="Cẩm Châu")
    log_in(page, base_url, accounts["hoi_an"])
    page.goto(f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#contact")).not_to_contain_text("0905123456")
    page.click("#contact button")
    expect(page.locator("#contact")).to_contain_text("0905123456")
    expect(page.locator("#audit")).to_contain_text("Xem thông tin liên hệ")
