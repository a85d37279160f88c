"""Routing: (category, place) → department.

The most specific rule wins: a rule for the unit in force, then one for its town, then the
fallback department (the IOC dispatch desk).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.domain.gazetteer import Place


@dataclass(frozen=True)
class RoutingRule:
    category: str
    department: str
    unit_code: str | None = None
    town_code: str | None = None


@dataclass(frozen=True)
class RoutingDecision:
    department: str
    matched: str  # "unit", "town" or "fallback"


class RoutingTable:
    """All routing rules plus the fallback department."""

    def __init__(self, rules: Iterable[RoutingRule], fallback: str) -> None:
        self._by_unit = {(r.category, r.unit_code): r.department for r in rules if r.unit_code}
        self._by_town = {
            (r.category, r.town_code): r.department for r in rules if r.town_code and not r.unit_code
        }
        self.fallback = fallback

    def route(self, category: str, place: Place | None) -> RoutingDecision:
        """Choose the department for a category at a place."""
        if place and place.unit_code and (category, place.unit_code) in self._by_unit:
            return RoutingDecision(self._by_unit[(category, place.unit_code)], "unit")
        if place and place.town_code and (category, place.town_code) in self._by_town:
            return RoutingDecision(self._by_town[(category, place.town_code)], "town")
        return RoutingDecision(self.fallback, "fallback")
