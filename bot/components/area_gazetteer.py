"""Look up the canonical unit name for whatever spelling of an area a citizen used."""

from __future__ import annotations

import re

from rasa.shared.nlu.training_data.training_data import TrainingData

from .area_names import matching_key


class AreaGazetteer:
    """Alias key (accented or bare, no type prefix) -> canonical name with diacritics."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        longest_first = sorted(aliases, key=len, reverse=True)
        self._inside = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b") if aliases else None
        )

    @classmethod
    def from_training_data(cls, training_data: TrainingData, entity: str = "area") -> AreaGazetteer:
        """Index the synonyms whose value is a unit, plus the entity's lookup-table names."""
        lookups = [t for t in training_data.lookup_tables if t.get("name") == entity]
        known = {matching_key(e) for table in lookups for e in table.get("elements", [])}
        names = {v for v in training_data.entity_synonyms.values() if matching_key(v) in known}
        canonical_by_bare = {matching_key(n): n for n in names}
        aliases: dict[str, str] = {}
        for alias, value in training_data.entity_synonyms.items():
            if value in names:
                cls._add(aliases, alias, value)
        for element in sorted(known & canonical_by_bare.keys()):
            cls._add(aliases, element, canonical_by_bare[element])
        for name in names:
            cls._add(aliases, name, name)
        return cls(aliases)

    @staticmethod
    def _add(aliases: dict[str, str], alias: str, canonical: str) -> None:
        for key in (matching_key(alias, keep_diacritics=True), matching_key(alias)):
            if key:
                aliases.setdefault(key, canonical)

    def canonical(self, value: str) -> str | None:
        """The canonical name for a value, or None when no known unit is named in it."""
        for key in (matching_key(value, keep_diacritics=True), matching_key(value)):
            if key in self.aliases:
                return self.aliases[key]
        return self._named_inside(value)

    def _named_inside(self, value: str) -> str | None:
        if self._inside is None:
            return None
        for key in (matching_key(value, keep_diacritics=True), matching_key(value)):
            found = self._inside.search(key)
            if found:
                return self.aliases[found.group(0)]
        return None
