"""The IOC dashboard renders its charts with the data of the database, and its filters work."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from browser_kit import file_ticket, log_in, marker
from playwright.sync_api import Page, expect
from sqlalchemy import ColumnElement, Float, cast, func, select, text, update

from backend.adapters.db.models import Ticket
from backend.bootstrap import Container
from backend.domain.sla import LOCAL_TZ

SUM_BARS = "(s, d) => s + d.data.reduce((a, b) => a + b, 0)"


def days(first: date, last: date) -> tuple[ColumnElement[bool], ...]:
    """Tickets created from `first` to `last` (local days, inclusive)."""
    return (
        Ticket.created_at >= datetime.combine(first, time.min, LOCAL_TZ),
        Ticket.created_at < datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ),
    )


def default_period() -> tuple[ColumnElement[bool], ...]:
    """The dashboard's default period: the last 60 days."""
    today = datetime.now(LOCAL_TZ).date()
    return days(today - timedelta(days=59), today)


def count(container: Container, *where: ColumnElement[bool]) -> int:
    """How many tickets match."""
    with container.session_factory() as session:
        return int(session.scalar(select(func.count()).where(*where)) or 0)


def chart(page: Page, name: str) -> dict[str, Any]:
    """A drawn chart's labels and datasets (label, data)."""
    script = f"""(() => {{ const c = Chart.getChart('{name}');
      const datasets = c.data.datasets.map((d) => ({{ label: d.label, data: d.data }}));
      return {{ labels: c.data.labels, datasets: datasets }};
    }})()"""
    return dict(page.evaluate(script))


def resolve(api: httpx.Client, container: Container, code: str, hours: int) -> None:
    """Resolve the ticket through the service API, `hours` after it was filed."""
    answer = api.post(f"/api/v1/tickets/{code}/status", json={"status": "resolved", "text": "Đã xử lý xong."})
    assert answer.status_code == 200, answer.text
    with container.session_factory() as session:
        late = Ticket.created_at + text(f"interval '{hours} hours'")
        session.execute(update(Ticket).where(Ticket.code == code).values(resolved_at=late))
        session.commit()


def test_dashboard_draws_charts_and_numbers_match(
    page: Page, base_url: str, accounts: dict[str, str], api, container: Container
) -> None:
    for area in ("Tân Thạnh", "Cẩm Châu", "Tân Thạnh"):
        file_ticket(api, f"Đèn đường hỏng {marker()}", area=area, category="infrastructure")
    total = count(container, *default_period())
    infra = count(container, *default_period(), Ticket.category_code == "infrastructure")
    log_in(page, base_url, accounts["leader"])
    expect(page).to_have_url(base_url + "/console/dashboard")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    charts = ("chart-time", "chart-unit", "chart-department", "chart-median", "chart-csat", "chart-channel")
    expect(page.locator(".charts canvas")).to_have_count(len(charts))
    for name in charts:
        assert page.evaluate(f"Chart.getChart('{name}') !== undefined"), name
    expect(page.locator("#kpi-total")).to_have_text(str(total))
    drawn = page.evaluate(f"Chart.getChart('chart-time').data.datasets.reduce({SUM_BARS}, 0)")
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


def test_median_resolution_chart_per_department(
    page: Page, base_url: str, accounts: dict[str, str], api, container: Container
) -> None:
    for hours in (10, 30, 50):
        ticket = file_ticket(api, f"Ổ gà giữa đường {marker()}", area="Cẩm Châu", category="infrastructure")
        assert ticket["department"]["code"] == "hoi_an_infrastructure"
        resolve(api, container, ticket["code"], hours)
    hours = cast(func.date_part("epoch", Ticket.resolved_at - Ticket.created_at) / 3600.0, Float)
    with container.session_factory() as session:  # PostgreSQL's own median, per department
        medians = dict(
            session.execute(
                select(Ticket.department_code, func.percentile_cont(0.5).within_group(hours))
                .where(*default_period(), Ticket.resolved_at.is_not(None))
                .group_by(Ticket.department_code)
            )
            .tuples()
            .all()
        )
    log_in(page, base_url, accounts["leader"])
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    expect(page.locator("figure:has(#chart-median) figcaption")).to_have_text(
        "Thời gian xử lý trung vị theo đơn vị xử lý (giờ)"
    )
    drawn = chart(page, "chart-median")
    assert [d["label"] for d in drawn["datasets"]] == ["Thời gian xử lý trung vị (giờ)"]
    values = drawn["datasets"][0]["data"]
    slowest = sorted((float(m) for m in medians.values()), reverse=True)[:12]
    assert values == pytest.approx(slowest, abs=0.005)
    ours = drawn["labels"].index("Ban Quản lý Hạ tầng đô thị Hội An")
    assert values[ours] == pytest.approx(float(medians["hoi_an_infrastructure"]), abs=0.005)
    assert values[ours] > 0


def test_period_and_area_filters(
    page: Page, base_url: str, accounts: dict[str, str], api, container: Container
) -> None:
    word = marker()
    codes = [file_ticket(api, f"Nước thải tràn {word} {n}", area="Cẩm Châu")["code"] for n in range(3)]
    file_ticket(api, f"Nước thải tràn {word} Tam Kỳ", area="Tân Thạnh")
    long_ago = datetime.now(LOCAL_TZ).date() - timedelta(days=200)
    with container.session_factory() as session:  # one of them was filed 200 days ago
        filed = datetime.combine(long_ago, time(10), LOCAL_TZ)
        session.execute(update(Ticket).where(Ticket.code == codes[0]).values(created_at=filed))
        session.commit()
        unit = session.scalar(select(Ticket.unit_code).where(Ticket.code == codes[1]))
    in_unit = Ticket.unit_code == unit
    log_in(page, base_url, accounts["leader"])

    page.select_option("#f-unit", unit)
    page.click("button:has-text('Xem')")
    expect(page).to_have_url(re.compile(rf"/console/dashboard\?.*unit={unit}"))
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    expect(page.locator("#kpi-total")).to_have_text(str(count(container, *default_period(), in_unit)))
    assert len(chart(page, "chart-unit")["labels"]) == 1

    page.fill("input[name=from]", long_ago.isoformat())
    page.fill("input[name=to]", long_ago.isoformat())
    page.click("button:has-text('Xem')")
    shown = long_ago.strftime("%d/%m/%Y")
    expect(page.locator("h1 small")).to_have_text(f"{shown} – {shown}")
    that_day = count(container, *days(long_ago, long_ago), in_unit)
    assert that_day >= 1
    expect(page.locator("#kpi-total")).to_have_text(str(that_day))
    expect(page.locator("#f-unit")).to_have_value(unit)
    drawn = page.evaluate(f"Chart.getChart('chart-time').data.datasets.reduce({SUM_BARS}, 0)")
    assert drawn == that_day

    page.select_option("#f-unit", "")
    page.click("button:has-text('Xem')")
    expect(page.locator("#kpi-total")).to_have_text(str(count(container, *days(long_ago, long_ago))))
    expect(page.locator("input[name=from]")).to_have_value(long_ago.isoformat())
