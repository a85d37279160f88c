"""Free-text folding, Open311 status mapping and the CSV encoding (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.entrypoints.api.export_api import HEADER, csv_chunks
from backend.services.open311_records import status_of, w3c
from backend.services.ticket_filters import fold_text, search_text
from backend.services.ticket_queries import TicketRow


def test_folding_ignores_case_and_vietnamese_diacritics() -> None:
    assert fold_text("Đường TRẦN Phú, Chợ Hội An") == "duong tran phu, cho hoi an"
    assert search_text("PA-2026-000001", "Rác thải", None, "Cẩm Châu") == "pa-2026-000001 rac thai  cam chau"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", "open"),
        ("assigned", "open"),
        ("in_progress", "open"),
        ("resolved", "closed"),
        ("closed", "closed"),
        ("rejected", "closed"),
        ("duplicate", "closed"),
    ],
)
def test_open311_status_mapping(status: str, expected: str) -> None:
    assert status_of(status) == expected


def test_open311_datetimes_carry_the_local_offset() -> None:
    assert w3c(datetime(2026, 11, 26, 2, 30, tzinfo=UTC)) == "2026-11-26T09:30:00+07:00"


def test_csv_starts_with_a_bom_and_quotes_citizen_text() -> None:
    when = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    row = TicketRow(
        "PA-2026-000001", "assigned", "Đã chuyển đơn vị xử lý", "environment", "Vệ sinh môi trường",
        None, None, "ioc_dispatch", "Bàn điều phối", "telegram", 'Rác "đổ trộm", bốc mùi', None,
        when, when, None, False, False, None, None,
    )  # fmt: skip
    content = b"".join(csv_chunks([row])).decode("utf-8")
    assert content.startswith("\ufeff" + ",".join(HEADER))
    assert '"Rác ""đổ trộm"", bốc mùi"' in content
    assert "2026-11-26 09:30" in content
