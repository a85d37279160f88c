"""Public ticket codes."""

from __future__ import annotations

import pytest

from backend.domain.codes import format_code, parse_code
from backend.domain.errors import InvalidInput


def test_format_and_parse_round_trip() -> None:
    assert format_code(2026, 123) == "PA-2026-000123"
    assert parse_code("PA-2026-000123") == (2026, 123)


@pytest.mark.parametrize("code", ["PA2026000123", "PA-2026-123", "pa-2026-000123", "PA-2026-000000", "x"])
def test_bad_codes_are_rejected(code: str) -> None:
    with pytest.raises(InvalidInput):
        parse_code(code)
