"""The IOC dashboard renders its charts with the data of the database."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from backend.adapters.db.models import Ticket
from backend.bootstrap import Container
from backend.domain.sla import LOCAL_TZ


def test_dashboard_draws_charts_and_numbers_match(
    page: Page, base_url: str, accounts: dict[str, str], api, container: Container
) -> None:
    for area in ("Tân Thạnh", "Cẩm Châu", "Tân Thạnh"):
        file_ticket(api, f"Đèn đường hỏng {marker()}", area=area, category="infrastructure")
    today = datetime.now(LOCAL_TZ).date()  # the dashboard's default period: the last 60 days
    period = (
        Ticket.created_at >= datetime.combine(today - timedelta(days=59), time.min, LOCAL_TZ),
        Ticket.created_at < datetime.combine(today + timedelta(days=1), time.min, LOCAL_TZ),
    )
    with container.session_factory() as session:
        total = session.scalar(select(func.count()).where(*period))
        infra = session.scalar(select(func.count()).where(*period, Ticket.category_code == "infrastructure"))
    log_in(page, base_url, accounts["leader"])
    expect(page).to_have_url(base_url + "/console/dashboard")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    expect(page.locator(".charts canvas")).to_have_count(5)
    for chart in ("chart-time", "chart-unit", "chart-department", "chart-csat", "chart-channel"):
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), chart
    expect(page.locator("#kpi-total")).to_have_text(str(total))
    sum_bars = "(s, d) => s + d.data.reduce((a, b) => a + b, 0)"
    drawn = page.evaluate(f"Chart.getChart('chart-time').data.datasets.reduce({sum_bars}, 0)")
    assert drawn == total
    expect(page.locator("#ranking tbody tr")).not_to_have_count(0)
    assert (
        page.locator("#export-csv")
        .get_attribute("href", timeout=5000)
        .startswith("/api/v1/console/tickets.csv?from=")
    )

    page.select_option("#f-category", "infrastructure")
    page.click("button:has-text('Xem')")
    expect(page.locator("#kpi-total")).to_have_text(str(infra))
    csv = page.request.get(base_url + (page.locator("#export-csv").get_attribute("href") or ""))
    assert csv.status == 200
    assert len(csv.text().strip().splitlines()) - 1 == infra
