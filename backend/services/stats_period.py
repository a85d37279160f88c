"""A dashboard view's filter over the rollups: whole months from the monthly tables, the days at
either end from the daily ones (so a year reads ~12 monthly rows per key instead of ~365), and the
same filter over the tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backend.services.ticket_filters import local_day_start

FILTERS = {"category": "category_code", "unit": "unit_code", "department": "department_code"}
Span = tuple[str, date | None, date | None]  # ("daily" or "monthly", first day, last day; None: open)


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _month_end(day: date) -> date:
    return _month_after(day) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Local days (inclusive, None: open-ended) and at most one value per filter key."""

    start: date | None
    end: date | None
    keys: dict[str, str]

    def spans(self, monthly: bool = True) -> list[Span]:
        """Which rollup rows cover the days: whole months monthly, the rest daily."""
        first = self.start if self.start is None or self.start.day == 1 else _month_after(self.start)
        last = self.end if self.end is None or self.end == _month_end(self.end) else None
        if self.end is not None and last is None:
            last = self.end.replace(day=1) - timedelta(days=1)  # the month before the end's
        if not monthly or (first is not None and last is not None and first > last):
            return [("daily", self.start, self.end)]
        spans: list[Span] = [("monthly", first, last.replace(day=1) if last else None)]
        if self.start is not None and first is not None and self.start < first:
            spans.append(("daily", self.start, first - timedelta(days=1)))
        if self.end is not None and last is not None and self.end > last:
            spans.append(("daily", last + timedelta(days=1), self.end))
        return spans

    def rollup_rows(self, kind: str, columns: str, monthly: bool = True) -> tuple[str, dict[str, Any]]:
        """A FROM item: the `columns` of the rollup rows of `kind` (figures, channels) in the period."""
        parts, params = [], dict[str, Any](self._key_params())
        for i, (span, first, last) in enumerate(self.spans(monthly)):
            where = [f"{column} = :{column}" for column in self._columns()] or ["true"]
            if first is not None:
                where.append(f"day >= :first{i}")
                params[f"first{i}"] = first
            if last is not None:
                where.append(f"day <= :last{i}")
                params[f"last{i}"] = last
            parts.append(f"SELECT {columns} FROM ticket_{span}_{kind} WHERE {' AND '.join(where)}")
        return f"({' UNION ALL '.join(parts)}) AS rollup", params

    def ticket_where(self) -> tuple[str, dict[str, Any]]:
        """WHERE over tickets (creation time in the local days)."""
        parts, params = ["true"], dict[str, Any](self._key_params())
        if self.start:
            parts.append("created_at >= :start")
            params["start"] = local_day_start(self.start)
        if self.end:
            parts.append("created_at < :end")
            params["end"] = local_day_start(self.end + timedelta(days=1))
        return " AND ".join(parts + [f"{column} = :{column}" for column in self._columns()]), params

    def _columns(self) -> list[str]:
        return [FILTERS[key] for key in self.keys]

    def _key_params(self) -> dict[str, str]:
        return {FILTERS[key]: value for key, value in self.keys.items()}
