"""Ticket codes as citizens type them, normalised by the action server."""

import pytest

from actions.ticket_codes import normalize_ticket_code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("PA-2026-000123", "PA-2026-000123"),
        ("pa2026000123", "PA-2026-000123"),
        ("PA 2026 123", "PA-2026-000123"),
        ("phản ánh pa-2025-45 sao rồi", "PA-2025-000045"),
        ("2026000123", "PA-2026-000123"),
        ("#123", "PA-2030-000123"),
        ("số 123", "PA-2030-000123"),
        ("mã 000123", "PA-2030-000123"),
        ("ma so 77", "PA-2030-000077"),
        ("123", "PA-2030-000123"),
    ],
)
def test_codes_are_normalised(typed, code):
    assert normalize_ticket_code(typed, year=2030) == code


@pytest.mark.parametrize("typed", ["", None, "phản ánh của tôi sao rồi", "#0", "ngày 12 tháng 5"])
def test_text_without_a_code_gives_none(typed):
    assert normalize_ticket_code(typed, year=2030) is None
