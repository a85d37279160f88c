"""Statistics for leaders, dispatchers and administrators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from backend.entrypoints.api.console_deps import StatisticsDep
from backend.entrypoints.api.console_schemas import FromDay, ToDay
from backend.entrypoints.api.security import StatsReader
from backend.services.statistics import StatsQuery

router = APIRouter(prefix="/api/v1", tags=["statistics"])


@router.get("/stats")
def statistics(
    _user: StatsReader,
    stats: StatisticsDep,
    date_from: FromDay = None,
    date_to: ToDay = None,
    unit: str | None = None,
    category: str | None = None,
    department: str | None = None,
    bucket: Annotated[str, Query(pattern="^(day|week|month)$")] = "day",
) -> dict[str, Any]:
    """Counts, on-time %, overdue, median resolution hours, CSAT and channel mix, grouped by
    category, unit, department and time bucket (dates local and inclusive)."""
    query = StatsQuery(date_from, date_to, unit, category, department, bucket)
    return {"from": date_from, "to": date_to, "bucket": bucket, **stats.compute(_user, query)}
