"""The IOC dashboard: statistics for leaders, dispatchers and administrators, drawn by Chart.js."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.domain.access import EXPORTERS
from backend.domain.errors import DomainError
from backend.domain.sla import LOCAL_TZ
from backend.entrypoints.api.console_api import reference_lists
from backend.entrypoints.api.console_deps import StatisticsDep
from backend.entrypoints.api.console_schemas import FromDay, ToDay
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import StatsReader
from backend.entrypoints.console.messages import vietnamese_error
from backend.entrypoints.console.rendering import local_time, render
from backend.services.figures_prewarm import default_query
from backend.services.statistics import StatsQuery

router = APIRouter(prefix="/console", include_in_schema=False)
BUCKET_VI = {"day": "Theo ngày", "week": "Theo tuần", "month": "Theo tháng"}
Choice = Annotated[str | None, Query(max_length=60)]


def ranking(by_department: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Departments by on-time rate (best first), then fewest overdue, like the 1022 portals."""
    rated = [d for d in by_department if d["count"]]
    return sorted(
        rated,
        key=lambda d: (
            -(d["on_time_pct"] if d["on_time_pct"] is not None else -1),
            d["overdue_open"],
            d["code"],
        ),
    )


def _export_link(query: StatsQuery) -> str:
    params = {
        "from": query.start.isoformat() if query.start else None,
        "to": query.end.isoformat() if query.end else None,
        "unit": query.unit,
        "category": query.category,
        "department": query.department,
    }
    return "/api/v1/console/tickets.csv?" + urlencode({k: v for k, v in params.items() if v})


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: StatsReader,
    stats: StatisticsDep,
    container: ContainerDep,
    date_from: FromDay = None,
    date_to: ToDay = None,
    unit: Choice = None,
    category: Choice = None,
    department: Choice = None,
    bucket: Annotated[str, Query(pattern="^(day|week|month)$")] = "day",
) -> Response:
    """Charts and rankings over the chosen period and area."""
    date_to = date_to or container.clock().astimezone(LOCAL_TZ).date()
    date_from = date_from or default_query(date_to).start  # today's default view is kept warm
    error = None
    try:
        query = StatsQuery(date_from, date_to, unit or None, category or None, department or None, bucket)
    except DomainError as problem:
        error, query = vietnamese_error(problem), StatsQuery(date_to, date_to, bucket=bucket)
    figures = stats.compute(user, query)
    return render(
        request,
        "dashboard.html",
        user,
        error=error,
        figures=figures,
        as_of=local_time(datetime.fromisoformat(figures["as_of"]), "%H:%M"),
        ranking=ranking(figures["by_department"]),
        query=query,
        buckets=BUCKET_VI,
        reference=reference_lists(user, container),
        export_link=_export_link(query) if user.role in EXPORTERS else None,
    )
