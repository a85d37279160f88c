"""Ticket codes as citizens type them (PA2026000123, #123, số 123, mã 000123) -> PA-YYYY-NNNNNN."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7))
_FULL = re.compile(r"\bpa\W{0,3}(20\d{2})\W{0,3}(\d{1,6})(?!\d)", re.IGNORECASE)
_YEAR_AND_NUMBER = re.compile(r"(?<!\d)(20\d{2})(\d{6})(?!\d)")
_PREFIXED = re.compile(
    r"(?:#|\b(?:số|so|mã|ma)(?:\s+(?:số|so|phản ánh|phan anh))?\s*:?)\s*(\d{1,6})(?!\d)", re.IGNORECASE
)
_BARE = re.compile(r"^\s*(\d{1,6})\s*$")


def current_year() -> int:
    """The current year in Vietnam."""
    return datetime.now(VIETNAM_TZ).year


def normalize_ticket_code(value: str | None, year: int | None = None) -> str | None:
    """Return the canonical code a citizen meant by `value`, or None if it names none."""
    if not value:
        return None
    match = _FULL.search(value) or _YEAR_AND_NUMBER.search(value)
    if match:
        return _format(int(match.group(1)), match.group(2))
    match = _PREFIXED.search(value) or _BARE.match(value)
    return _format(year or current_year(), match.group(1)) if match else None


def _format(year: int, number: str) -> str | None:
    return f"PA-{year}-{int(number):06d}" if int(number) > 0 else None
