"""The gazetteer: every name a citizen may use for a place → the unit in force or the town.

Old ward names (before 1 July 2025), new names, with or without diacritics and prefixes
("phường", "p.", "xã", "tp") all resolve. The longest name found in the text wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.domain.text import normalise, tokens

MAX_ALIAS_WORDS = 6


@dataclass(frozen=True)
class Place:
    """A resolved place: a unit in force (with its town), or only a town."""

    town_code: str | None
    unit_code: str | None = None


class Gazetteer:
    """Look place names up in free text."""

    def __init__(self, aliases: Iterable[tuple[str, Place]]) -> None:
        self._places = {normalise(alias): place for alias, place in aliases if normalise(alias)}

    def resolve(self, *texts: str | None) -> Place | None:
        """The place named in the first text that names one."""
        for text in texts:
            place = self._find(text) if text else None
            if place:
                return place
        return None

    def _find(self, text: str) -> Place | None:
        words = tokens(text)
        for size in range(min(MAX_ALIAS_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                place = self._places.get(" ".join(words[start : start + size]))
                if place:
                    return place
        return None
