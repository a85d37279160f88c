"""Normalise Vietnamese syllables as citizens type them: NFC, tone-mark placement, teencode.

Tone marks follow the classic placement used by underthesea and the official unit names
("hòa", "thúy", "khỏe"); "hoà", "thuý", "khoẻ" are rewritten to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ABBREVIATIONS_FILE = "nlu_data/normalization/abbreviations.yml"

try:  # underthesea's table of misplaced tone marks and common typos
    from underthesea.pipeline.text_normalize.text_normalizer import token_map as _TONE_MAP
except ImportError:  # pragma: no cover - underthesea is a hard dependency of the bot env
    _TONE_MAP = {}

_COMBINING = re.compile(r"[\u0300-\u036f]")


def resolve_path(path: str) -> Path:
    """Resolve a data file path relative to the repository root."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def to_nfc(text: str) -> str:
    """Compose Unicode (NFD input from some keyboards) into NFC."""
    return unicodedata.normalize("NFC", text)


def fix_tone_placement(syllable: str) -> str:
    """Rewrite one lowercase syllable to the classic tone-mark placement (hoà -> hòa)."""
    fixed = _TONE_MAP.get(syllable, syllable)
    return syllable if _COMBINING.search(to_nfc(fixed)) else to_nfc(fixed)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (including đ -> d) from text."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = _COMBINING.sub("", decomposed)
    return unicodedata.normalize("NFC", bare).replace("đ", "d").replace("Đ", "D")


def normalize_syllable(syllable: str) -> str:
    """NFC, lowercase and fix the tone placement of one syllable."""
    return fix_tone_placement(to_nfc(syllable).lower())


@dataclass(frozen=True)
class ContextRule:
    """Expand an abbreviation differently when a neighbour matches."""

    expand: str
    previous: frozenset = field(default_factory=frozenset)
    next: frozenset = field(default_factory=frozenset)

    def applies(self, previous: str | None, following: str | None) -> bool:
        """Whether the previous or the next syllable selects this expansion."""
        return previous in self.previous or following in self.next


@dataclass
class AbbreviationTable:
    """Teencode and chat abbreviations, loaded from a YAML data file."""

    plain: dict[str, str] = field(default_factory=dict)
    contextual: dict[str, tuple] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str = DEFAULT_ABBREVIATIONS_FILE) -> AbbreviationTable:
        """Load the table from a YAML file (relative paths from the repository root)."""
        data = yaml.safe_load(resolve_path(path).read_text(encoding="utf-8")) or {}
        plain = {normalize_syllable(k): to_nfc(str(v)) for k, v in (data.get("abbreviations") or {}).items()}
        contextual = {
            normalize_syllable(k): (to_nfc(v["default"]), tuple(_rules(v.get("alternatives") or [])))
            for k, v in (data.get("contextual") or {}).items()
        }
        return cls(plain, contextual)

    def expand(self, syllable: str, previous: str | None = None, following: str | None = None) -> str:
        """Return the standard form of a normalised syllable given its neighbours."""
        if syllable in self.contextual:
            default, rules = self.contextual[syllable]
            return next((r.expand for r in rules if r.applies(previous, following)), default)
        return self.plain.get(syllable, syllable)

    def __len__(self) -> int:
        return len(self.plain) + len(self.contextual)


def _rules(items: list[dict]) -> list[ContextRule]:
    return [
        ContextRule(
            to_nfc(item["expand"]),
            frozenset(normalize_syllable(w) for w in item.get("previous", [])),
            frozenset(normalize_syllable(w) for w in item.get("next", [])),
        )
        for item in items
    ]


def normalize_words(words: Sequence[str], table: AbbreviationTable) -> list[str]:
    """Normalise a run of syllables, expanding abbreviations with their neighbours as context."""
    syllables = [normalize_syllable(w) for w in words]
    return [
        table.expand(s, syllables[i - 1] if i else None, syllables[i + 1] if i + 1 < len(syllables) else None)
        for i, s in enumerate(syllables)
    ]


def normalize_text(text: str, table: AbbreviationTable) -> str:
    """Normalise a whole message (for display or matching; offsets are not kept)."""
    words = re.findall(r"\w+|[^\w\s]", to_nfc(text))
    return " ".join(normalize_words(words, table))
