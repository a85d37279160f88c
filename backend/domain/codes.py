"""Public ticket codes: PA-YYYY-NNNNNN, sequential per year."""

from __future__ import annotations

import re

from backend.domain.errors import InvalidInput

CODE_PATTERN = re.compile(r"^PA-(\d{4})-(\d{6})$")


def format_code(year: int, number: int) -> str:
    """PA-2026-000123."""
    return f"PA-{year:04d}-{number:06d}"


def parse_code(code: str) -> tuple[int, int]:
    """Split a code into (year, number), or raise InvalidInput."""
    match = CODE_PATTERN.match(code)
    if not match or int(match.group(2)) == 0:
        raise InvalidInput(f"bad ticket code: {code!r} (expected PA-YYYY-NNNNNN)")
    return int(match.group(1)), int(match.group(2))
