"""Reference data tables: categories, towns, units and aliases, departments, routing, holidays."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.adapters.db.base import Base


class Category(Base):
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    intent: Mapped[str] = mapped_column(String(60))
    name_vi: Mapped[str] = mapped_column(String(200))
    sla_working_days: Mapped[int]
    # Never published: its tickets are left out of the public Open311 feed (security tip-offs).
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __str__(self) -> str:
        return self.name_vi


class Town(Base):
    __tablename__ = "towns"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.name


class Unit(Base):
    """An administrative unit (ward/commune) in force since 1 July 2025."""

    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    town_code: Mapped[str] = mapped_column(ForeignKey("towns.code"))
    province: Mapped[str] = mapped_column(String(200))
    old_names: Mapped[list[Any]] = mapped_column(JSON, default=list)
    town: Mapped[Town] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.name


class PlaceAlias(Base):
    """A normalised name (old or new, any spelling) pointing at a unit or only a town."""

    __tablename__ = "place_aliases"
    alias: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    town_code: Mapped[str | None] = mapped_column(ForeignKey("towns.code"))
    source: Mapped[str] = mapped_column(String(20))  # new, old, town


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(String(1000), default="")
    scope: Mapped[str] = mapped_column(String(20))  # province, town, unit
    town_code: Mapped[str | None] = mapped_column(ForeignKey("towns.code"))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class RoutingRuleRow(Base):
    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_code", "unit_code", "town_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    town_code: Mapped[str | None] = mapped_column(ForeignKey("towns.code"))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))


class CalendarDay(Base):
    """A public holiday (kind=holiday) or a compensatory working weekend day (kind=working)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))


class Setting(Base):
    """Small key/value reference settings, e.g. the routing fallback department."""

    __tablename__ = "reference_settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))


# Set to a fresh random value whenever cached reference data changes (load-reference, /admin).
VERSION_KEY = "reference_version"


def stamp_reference_version(session: Session) -> None:
    """Give the reference data a new version: every process then drops its cached copies."""
    session.merge(Setting(key=VERSION_KEY, value=uuid4().hex))


def _changes_cached_data(obj: object) -> bool:
    if isinstance(obj, Setting):
        return obj.key != VERSION_KEY
    return isinstance(obj, PlaceAlias | RoutingRuleRow | CalendarDay)


@event.listens_for(Session, "before_flush")
def _stamp_on_change(session: Session, _context: Any, _instances: Any) -> None:
    if any(_changes_cached_data(o) for o in (*session.new, *session.dirty, *session.deleted)):
        stamp_reference_version(session)
