"""Reads of reference data, turned into domain objects."""

from __future__ import annotations

from datetime import date

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
from backend.domain.gazetteer import Gazetteer, Place
from backend.domain.routing import RoutingRule, RoutingTable
from backend.domain.sla import WorkingCalendar

FALLBACK_KEY = "routing_fallback_department"


class SqlReferenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

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
        """Every alias of every place."""
        rows = self.session.scalars(select(PlaceAlias))
        return Gazetteer((row.alias, Place(row.town_code, row.unit_code)) for row in rows)

    def place_of_unit(self, unit_code: str) -> Place | None:
        """The place (unit with its town) of a unit code."""
        unit = self.unit(unit_code)
        return Place(unit.town_code, unit.code) if unit else None

    def routing_table(self, category: str) -> RoutingTable:
        """The routing rules of one category and the fallback department."""
        rows = self.session.scalars(select(RoutingRuleRow).where(RoutingRuleRow.category_code == category))
        rules = [RoutingRule(r.category_code, r.department_code, r.unit_code, r.town_code) for r in rows]
        fallback = self.session.get(Setting, FALLBACK_KEY)
        return RoutingTable(rules, fallback.value if fallback else "ioc_dispatch")

    def calendar(self, start: date, end: date) -> WorkingCalendar:
        """The holidays and compensatory working days between two dates."""
        rows = list(
            self.session.scalars(select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end))
        )
        holidays = [r.day for r in rows if r.kind == "holiday"]
        return WorkingCalendar.of(holidays, [r.day for r in rows if r.kind == "working"])
