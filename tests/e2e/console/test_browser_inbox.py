"""The inbox: keyboard navigation, free-text search, and the dispatcher's bulk re-routing."""

from __future__ import annotations

from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Page, expect


def test_keyboard_search_and_open(page: Page, base_url: str, accounts: dict[str, str], api) -> None:
    word = marker()
    codes = [file_ticket(api, f"Xà bần đổ trộm {word} số {n}")["code"] for n in range(2)]
    log_in(page, base_url, accounts["tam_ky"])
    page.keyboard.press("/")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    expect(page.locator("#tickets tbody tr[data-code]")).to_have_count(2)
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.is-current")).to_have_attribute("data-code", codes[1])  # newest first
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/console/tickets/{codes[1]}")


def test_dispatcher_bulk_reroutes_checked_tickets(
    page: Page, base_url: str, accounts: dict[str, str], api
) -> None:
    word = marker()
    codes = [file_ticket(api, f"Lấn chiếm vỉa hè {word} {n}", area="Tân Thạnh")["code"] for n in range(3)]
    log_in(page, base_url, accounts["dispatcher"])
    page.goto(f"{base_url}/console?q={word}")
    for code in codes[:2]:
        page.check(f"input[name=code][value='{code}']")
    expect(page.locator("#bulk-count")).to_have_text("(2 phản ánh đã chọn)")
    page.select_option("#bulk-department", "hoi_an_environment")
    page.fill("#bulk-bar input[name=reason]", "Địa điểm thực tế thuộc Hội An")
    page.click("#bulk-bar button[type=submit]")
    expect(page.locator(".flash.ok")).to_have_text("Đã thực hiện thao tác hàng loạt.")
    for code in codes[:2]:
        expect(page.locator(f"tr[data-code='{code}'] td.dept")).to_have_text(
            "Đội Quản lý đô thị và Môi trường khu vực Hội An"
        )
    expect(page.locator(f"tr[data-code='{codes[2]}'] td.dept")).to_contain_text("Tam Kỳ")
