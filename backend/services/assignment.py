"""Routing and SLA together: which department, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.adapters.db.models import Category, Department
from backend.domain.errors import InvalidInput
from backend.domain.gazetteer import Place
from backend.domain.sla import LOCAL_TZ
from backend.services.unit_of_work import AbstractUnitOfWork

# Holidays are read for this many days after the start; enough for any SLA in working days.
CALENDAR_WINDOW = timedelta(days=120)


@dataclass(frozen=True)
class Assignment:
    department: Department
    matched: str
    due_at: datetime


def category_or_error(uow: AbstractUnitOfWork, code: str) -> Category:
    """The category with this code, or InvalidInput naming the valid codes."""
    category = uow.reference.category(code)
    if category is None:
        known = ", ".join(c.code for c in uow.reference.categories())
        raise InvalidInput(f"unknown category: {code!r} (known: {known})")
    return category


def department_or_error(uow: AbstractUnitOfWork, code: str) -> Department:
    """The active department with this code, or InvalidInput."""
    department = uow.reference.department(code)
    if department is None or not department.active:
        raise InvalidInput(f"unknown department: {code!r}")
    return department


def due_at(uow: AbstractUnitOfWork, category: Category, start: datetime) -> datetime:
    """The SLA deadline of a category for a ticket received at `start`."""
    today = start.astimezone(LOCAL_TZ).date()
    calendar = uow.reference.calendar(today, today + CALENDAR_WINDOW)
    return calendar.due_at(start, category.sla_working_days)


def assign(uow: AbstractUnitOfWork, category: Category, place: Place | None, start: datetime) -> Assignment:
    """Route a category at a place and compute its deadline."""
    decision = uow.reference.routing_table(category.code).route(category.code, place)
    department = department_or_error(uow, decision.department)
    return Assignment(department, decision.matched, due_at(uow, category, start))
