"""Text normalisation for matching Vietnamese names and descriptions."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics; đ becomes d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower case, no diacritics, words separated by single spaces."""
    return _NON_WORD.sub(" ", strip_diacritics(text).lower()).strip()


def tokens(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalise(text).split()
