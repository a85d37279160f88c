"""The shape of the dashboard's figures: one metrics row per group, named and ordered lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.adapters.db.models import Category, Department, Unit

NAME_COLUMNS: dict[Any, Any] = {
    Category: (Category.code, Category.name_vi),
    Unit: (Unit.code, Unit.name),
    Department: (Department.code, Department.name),
}


def pct(part: int, whole: int) -> float | None:
    """part / whole in %, one decimal (None when whole is 0)."""
    return round(100.0 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 2) -> float | None:
    """The value as a float rounded to `digits`, or None."""
    return round(float(value), digits) if value is not None else None


def metrics(row: Any, median: float | None) -> dict[str, Any]:
    """One group's metrics from a mapping of count, open, resolved, on_time, overdue_open,
    csat_average and csat_count."""
    resolved, on_time = int(row["resolved"] or 0), int(row["on_time"] or 0)
    return {
        "count": int(row["count"]),
        "open": int(row["open"] or 0),
        "resolved": resolved,
        "on_time": on_time,
        "on_time_pct": pct(on_time, resolved),
        "overdue_open": int(row["overdue_open"] or 0),
        "median_resolution_hours": rounded(median),
        "csat_average": rounded(row["csat_average"]),
        "csat_count": int(row["csat_count"] or 0),
    }


def empty_metrics() -> dict[str, Any]:
    """The metrics of a group without tickets."""
    zero = {"count": 0, "open": 0, "resolved": 0, "on_time": 0, "overdue_open": 0, "csat_count": 0}
    return metrics({**zero, "csat_average": None}, None)


def names(session: Session) -> dict[Any, dict[str, str]]:
    """Code → name of every category, unit and department (small reference tables)."""
    return {
        model: dict(session.execute(select(*columns)).tuples().all())
        for model, columns in NAME_COLUMNS.items()
    }


def named(groups: dict[Any, dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The groups as a list with their names, the largest first."""
    items = [{"code": code, "name": names.get(code) if code else None, **m} for code, m in groups.items()]
    return sorted(items, key=lambda item: (-item["count"], item["code"] or ""))


def time_bucket(name: str, by_category: dict[str, int]) -> dict[str, Any]:
    """One bucket of tickets over time."""
    return {"bucket": name, "count": sum(by_category.values()), "by_category": by_category}


def channel_mix(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Tickets per channel, the most used first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"channel": channel, "count": count} for channel, count in ordered]


def csat_distribution(counts: dict[int, int]) -> dict[str, int]:
    """Ratings 1-5 → how many."""
    return {str(score): counts.get(score, 0) for score in range(1, 6)}


def figures(
    groups: dict[Any, dict[Any, dict[str, Any]]],
    totals_key: Any,
    keys: tuple[Any, Any, Any],
    session: Session,
    rest: dict[str, Any],
) -> dict[str, Any]:
    """The whole dict: totals, the three named breakdowns (`keys`: category, unit, department) and
    the rest (by_time, csat_distribution, channels)."""
    found = names(session)
    category, unit, department = keys
    return {
        "totals": groups[totals_key].get("all", empty_metrics()),
        "by_category": named(groups[category], found[Category]),
        "by_unit": named(groups[unit], found[Unit]),
        "by_department": named(groups[department], found[Department]),
        **rest,
    }
