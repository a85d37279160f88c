"""Load the reference data files (reference/*.yml) into the database, idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.adapters.db.models import (
    CalendarDay,
    Category,
    Department,
    PlaceAlias,
    RoutingRuleRow,
    Setting,
    Town,
    Unit,
)
from backend.adapters.db.reference_models import stamp_reference_version
from backend.adapters.db.reference_repository import FALLBACK_KEY
from backend.domain.text import normalise


def read_yaml(directory: Path, name: str) -> Any:
    """Parse one reference file."""
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def load_notification_templates(directory: Path) -> dict[str, str]:
    """The citizen-facing notification texts."""
    return dict(read_yaml(directory, "notifications.yml"))


def _aliases(units_doc: dict[str, Any]) -> Iterator[tuple[str, str | None, str, str]]:
    for town in units_doc["towns"]:
        for alias in town["aliases"]:
            yield normalise(alias), None, town["code"], "town"
    for unit in units_doc["units"]:
        for alias in [unit["name"], *unit["aliases"]]:
            yield normalise(alias), unit["code"], unit["town"], "new"
        for old in unit["old_names"]:
            for alias in [old["name"], *old["aliases"]]:
                yield normalise(alias), unit["code"], unit["town"], "old"


def place_aliases(units_doc: dict[str, Any]) -> list[PlaceAlias]:
    """One row per distinct alias; an alias naming two different places is an error."""
    rows: dict[str, PlaceAlias] = {}
    for alias, unit_code, town_code, source in _aliases(units_doc):
        existing = rows.get(alias)
        if existing and (existing.unit_code, existing.town_code) != (unit_code, town_code):
            raise ValueError(f"alias {alias!r} names two places")
        if not existing or existing.source == "old":
            rows[alias] = PlaceAlias(alias=alias, unit_code=unit_code, town_code=town_code, source=source)
    return list(rows.values())


def _days(entry: dict[str, Any]) -> Iterator[date]:
    day, last = entry["date"], entry.get("to", entry["date"])
    while day <= last:
        yield day
        day += timedelta(days=1)


class ReferenceLoader:
    """Upsert every reference file; rows that tickets point at are updated, never deleted."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def load(self, session: Session) -> dict[str, int]:
        """Load everything in one transaction; returns row counts."""
        counts = {
            "categories": self._categories(session),
            "units": self._units(session),
            "departments": self._departments(session),
            "routing_rules": self._routing(session),
            "calendar_days": self._calendar(session),
        }
        # A new version makes every process drop its cached gazetteer, routing and calendar.
        stamp_reference_version(session)
        session.commit()
        return counts

    def _categories(self, session: Session) -> int:
        rows = read_yaml(self.directory, "categories.yml")["categories"]
        for row in rows:
            session.merge(
                Category(
                    code=row["code"],
                    intent=row["intent"],
                    name_vi=row["name_vi"],
                    sla_working_days=row["sla_working_days"],
                    confidential=bool(row.get("confidential", False)),
                )
            )
        return len(rows)

    def _units(self, session: Session) -> int:
        doc = read_yaml(self.directory, "units.yml")
        for town in doc["towns"]:
            session.merge(Town(code=town["code"], name=town["name"]))
        for unit in doc["units"]:
            session.merge(
                Unit(
                    code=unit["code"],
                    name=unit["name"],
                    kind=unit["kind"],
                    town_code=unit["town"],
                    province=unit["province"],
                    old_names=[old["name"] for old in unit["old_names"]],
                )
            )
        session.flush()
        session.execute(delete(PlaceAlias))
        session.add_all(place_aliases(doc))
        return len(doc["units"])

    def _departments(self, session: Session) -> int:
        rows = read_yaml(self.directory, "departments.yml")["departments"]
        session.execute(update(Department).values(active=False))
        for row in rows:
            scope = row["jurisdiction"]
            session.merge(
                Department(
                    code=row["code"],
                    name=row["name"],
                    description=row.get("description", ""),
                    scope=scope["scope"],
                    town_code=scope.get("town"),
                    unit_code=scope.get("unit"),
                    active=True,
                )
            )
        session.flush()
        return len(rows)

    def _routing(self, session: Session) -> int:
        doc = read_yaml(self.directory, "routing.yml")
        session.merge(Setting(key=FALLBACK_KEY, value=doc["fallback_department"]))
        session.execute(delete(RoutingRuleRow))
        session.add_all(
            RoutingRuleRow(
                category_code=r["category"],
                unit_code=r.get("unit"),
                town_code=r.get("town"),
                department_code=r["department"],
            )
            for r in doc["rules"]
        )
        session.flush()
        return len(doc["rules"])

    def _calendar(self, session: Session) -> int:
        doc = read_yaml(self.directory, "holidays.yml")
        session.execute(delete(CalendarDay))
        days = {
            d: CalendarDay(day=d, kind="holiday", name=e["name"]) for e in doc["holidays"] for d in _days(e)
        }
        days.update(
            {
                d: CalendarDay(day=d, kind="working", name=e["name"])
                for e in doc.get("working_days", [])
                for d in _days(e)
            }
        )
        session.add_all(days.values())
        session.flush()
        return len(days)


def reference_loaded(session: Session) -> bool:
    """True once the categories are in the database."""
    return session.scalar(select(Category.code).limit(1)) is not None
