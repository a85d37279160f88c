"""Likely duplicates: an open ticket of the same category, recent, and either close by
(coordinates within a radius) or in the same unit with a similar description."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from backend.domain.text import tokens

EARTH_RADIUS_M = 6_371_000.0
STOP_WORDS = frozenset("o tai cua va la co bi da dang rat nhieu qua the nay do thi cho em toi".split())


@dataclass(frozen=True)
class Report:
    """What duplicate detection needs to know about a ticket."""

    ticket_id: int
    category: str
    description: str
    unit_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class DuplicatePolicy:
    radius_m: float = 150.0
    min_similarity: float = 0.4


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def similarity(text_a: str, text_b: str) -> float:
    """Jaccard similarity of the normalised, diacritic-free words (stop words ignored)."""
    a = set(tokens(text_a)) - STOP_WORDS
    b = set(tokens(text_b)) - STOP_WORDS
    return len(a & b) / len(a | b) if a and b else 0.0


def is_likely_duplicate(new: Report, old: Report, policy: DuplicatePolicy) -> bool:
    """Same category and either nearby or same unit with similar text."""
    if new.category != old.category or new.ticket_id == old.ticket_id:
        return False
    if None not in (new.latitude, new.longitude, old.latitude, old.longitude):
        distance = haversine_m(new.latitude, new.longitude, old.latitude, old.longitude)  # type: ignore[arg-type]
        if distance <= policy.radius_m:
            return True
    same_unit = new.unit_code is not None and new.unit_code == old.unit_code
    return same_unit and similarity(new.description, old.description) >= policy.min_similarity


def find_original(new: Report, candidates: Iterable[Report], policy: DuplicatePolicy) -> Report | None:
    """The first candidate (callers pass oldest first) that the new report likely duplicates."""
    return next((old for old in candidates if is_likely_duplicate(new, old, policy)), None)
