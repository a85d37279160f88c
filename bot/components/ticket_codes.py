"""Ticket codes as citizens type them (PA2026000123, #123, số 123, mã 000123) -> PA-YYYY-NNNNNN."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7))
_WITH_YEAR = re.compile(r"pa\W*(20\d{2})\W*(\d{1,6})(?!\d)", re.IGNORECASE)
_BARE_YEAR = re.compile(r"(?<!\d)(20\d{2})(\d{6})(?!\d)")
_NUMBER = re.compile(r"(?<!\d)(\d{1,6})(?!\d)")
# Codes the deterministic extractor accepts without a model: full codes, "#123", "mã 000123".
# The code itself is the pattern's one matched group (the entity span: "mã 000123" -> "000123").
STRONG_PATTERN = re.compile(
    r"\b(pa[-_ ]?20\d{2}[-_ ]?\d{1,6})\b|(#\d{1,6})\b"
    r"|\bm[ãa] (?:(?:hồ sơ|ho so|phản ánh|phan anh|số|so) )?(#?\d{1,6})\b",
    re.IGNORECASE,
)
# In a status question a number after "số"/"phiếu" is a ticket too ("phản ánh số 451"); elsewhere
# it is more often a house number ("số 12 Phan Chu Trinh"), so only the status intent accepts it.
STATUS_PATTERN = re.compile(r"\b(?:số|so|phiếu|phieu|hồ sơ|ho so) (#?\d{1,6})\b", re.IGNORECASE)


def current_year() -> int:
    """The current year in Vietnam."""
    return datetime.now(VIETNAM_TZ).year


def normalize_ticket_code(value: str, year: int | None = None) -> str | None:
    """Return the canonical PA-YYYY-NNNNNN code a citizen meant, or None if there is none."""
    match = _WITH_YEAR.search(value) or _BARE_YEAR.search(value)
    if match:
        return _format(int(match.group(1)), match.group(2))
    match = _NUMBER.search(value)
    return _format(year or current_year(), match.group(1)) if match else None


def _format(year: int, number: str) -> str | None:
    return f"PA-{year}-{int(number):06d}" if int(number) > 0 else None
