"""Reads of reference data, turned into domain objects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.adapters.db.models import (
    CalendarDay,
    Category,
    Department,
    PlaceAlias,
    RoutingRuleRow,
    Setting,
    Unit,
)
from backend.adapters.db.reference_models import VERSION_KEY
from backend.domain.gazetteer import Gazetteer, Place
from backend.domain.routing import RoutingRule, RoutingTable
from backend.domain.sla import WorkingCalendar

FALLBACK_KEY = "routing_fallback_department"
CACHE_LIMIT = 256

T = TypeVar("T")
# Derived reference data by (reference version, what); shared by every session of the process.
_cache: dict[tuple[Any, ...], Any] = {}


class SqlReferenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._version: str | None = None

    def version(self) -> str | None:
        """The version written by the last `load-reference` (read once per session)."""
        if self._version is None:
            row = self.session.get(Setting, VERSION_KEY)
            self._version = row.value if row else ""
        return self._version or None

    def _cached(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        version = self.version()
        if version is None:  # reference data not stamped: never cache
            return build()
        full_key = (version, *key)
        value: T | None = _cache.get(full_key)
        if value is None:
            value = build()
            if len(_cache) >= CACHE_LIMIT:
                _cache.clear()
            _cache[full_key] = value
        return value

    def category(self, code: str) -> Category | None:
        """A category by code."""
        return self.session.get(Category, code)

    def categories(self) -> list[Category]:
        """All categories."""
        return list(self.session.scalars(select(Category).order_by(Category.code)))

    def department(self, code: str) -> Department | None:
        """A department by code."""
        return self.session.get(Department, code)

    def unit(self, code: str) -> Unit | None:
        """A unit in force by code."""
        return self.session.get(Unit, code)

    def gazetteer(self) -> Gazetteer:
        """Every alias of every place (cached per reference version)."""
        return self._cached(("gazetteer",), self._gazetteer)

    def _gazetteer(self) -> Gazetteer:
        rows = self.session.scalars(select(PlaceAlias))
        return Gazetteer((row.alias, Place(row.town_code, row.unit_code)) for row in rows)

    def place_of_unit(self, unit_code: str) -> Place | None:
        """The place (unit with its town) of a unit code."""
        unit = self.unit(unit_code)
        return Place(unit.town_code, unit.code) if unit else None

    def routing_table(self, category: str) -> RoutingTable:
        """The routing rules of one category and the fallback department (cached per version)."""
        return self._cached(("routing", category), lambda: self._routing_table(category))

    def _routing_table(self, category: str) -> RoutingTable:
        rows = self.session.scalars(select(RoutingRuleRow).where(RoutingRuleRow.category_code == category))
        rules = [RoutingRule(r.category_code, r.department_code, r.unit_code, r.town_code) for r in rows]
        fallback = self.session.get(Setting, FALLBACK_KEY)
        return RoutingTable(rules, fallback.value if fallback else "ioc_dispatch")

    def calendar(self, start: date, end: date) -> WorkingCalendar:
        """The holidays and compensatory working days between two dates (cached per version)."""
        return self._cached(("calendar", start, end), lambda: self._calendar(start, end))

    def _calendar(self, start: date, end: date) -> WorkingCalendar:
        rows = list(
            self.session.scalars(select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end))
        )
        holidays = [r.day for r in rows if r.kind == "holiday"]
        return WorkingCalendar.of(holidays, [r.day for r in rows if r.kind == "working"])
