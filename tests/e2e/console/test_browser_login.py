"""Log-in, lock-out, log-out and the leader's limits, in a real browser."""

from __future__ import annotations

from browser_kit import PASSWORD, log_in
from playwright.sync_api import Page, expect

from backend.services.auth_service import BAD_CREDENTIALS


def test_officer_logs_in_to_the_inbox_and_out_again(
    page: Page, base_url: str, accounts: dict[str, str]
) -> None:
    log_in(page, base_url, accounts["tam_ky"])
    expect(page).to_have_url(base_url + "/console")
    expect(page.locator(".who-name")).to_have_text("Lê Văn Tam Kỳ")
    expect(page.locator("h1")).to_contain_text("Đội Quản lý đô thị và Môi trường khu vực Tam Kỳ")
    page.click("text=Đăng xuất")
    expect(page.locator(".flash.ok")).to_have_text("Anh/chị đã đăng xuất.")
    page.goto(base_url + "/console")
    expect(page).to_have_url(base_url + "/console/login?next=%2Fconsole")


def test_wrong_password_then_lock_out(page: Page, base_url: str, accounts: dict[str, str]) -> None:
    username = accounts["locked"]
    log_in(page, base_url, username, "sai-mat-khau")
    expect(page.locator(".flash.err")).to_have_text(BAD_CREDENTIALS)
    log_in(page, base_url, username, "sai-mat-khau")
    log_in(page, base_url, username, "sai-mat-khau")  # the third failure locks (LOGIN_MAX_FAILURES=3)
    expect(page.locator(".flash.err")).to_have_text(BAD_CREDENTIALS)
    log_in(page, base_url, username, PASSWORD)  # locked: the same answer as a wrong password
    expect(page.locator(".flash.err")).to_have_text(BAD_CREDENTIALS)
    expect(page).to_have_url(base_url + "/console/login")


def test_leader_sees_only_the_dashboard(page: Page, base_url: str, accounts: dict[str, str], api) -> None:
    from browser_kit import file_ticket, marker

    code = file_ticket(api, f"Rác ven đường {marker()}")["code"]
    log_in(page, base_url, accounts["leader"])
    expect(page).to_have_url(base_url + "/console/dashboard")
    expect(page.locator(".mainnav")).not_to_contain_text("Hộp phản ánh")
    response = page.goto(f"{base_url}/console/tickets/{code}")
    assert response is not None and response.status == 403
    expect(page.locator(".error-message")).to_contain_text("không có quyền")
    api_answer = page.request.get(f"{base_url}/api/v1/console/tickets/{code}/contact")
    assert api_answer.status == 403
