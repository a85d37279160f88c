"""CSV export of the filtered tickets (UTF-8 with BOM so Excel shows Vietnamese).

Cells are made inert for spreadsheets (OWASP "CSV injection"): one that starts with =, +, -, @,
a tab or a carriage return gets a leading single quote, so a citizen's `=HYPERLINK(...)` is text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from backend.domain.sla import LOCAL_TZ
from backend.entrypoints.api.console_deps import QueriesDep
from backend.entrypoints.api.console_schemas import ticket_filter, ticket_sort
from backend.entrypoints.api.security import Exporter
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort, TicketRow

router = APIRouter(prefix="/api/v1/console", tags=["console"])
MAX_ROWS = 200_000
HEADER = [
    "Mã phản ánh",
    "Ngày tiếp nhận",
    "Trạng thái",
    "Lĩnh vực",
    "Địa bàn",
    "Đơn vị xử lý",
    "Hạn xử lý",
    "Quá hạn",
    "Ngày xử lý xong",
    "Kênh",
    "Đánh giá",
    "Địa điểm",
    "Nội dung",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def inert(cell: str) -> str:
    """The cell with a leading quote if a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cells(row: TicketRow) -> list[str]:
    return [inert(cell) for cell in _values(row)]


def _values(row: TicketRow) -> list[str]:
    return [
        row.code,
        _when(row.created_at),
        row.status_vi,
        row.category_name,
        row.unit_name or "",
        row.department_name,
        _when(row.due_at),
        "Có" if row.overdue else "Không",
        _when(row.resolved_at),
        row.channel,
        str(row.rating or ""),
        row.location_text or "",
        row.description,
    ]


def csv_chunks(rows: Iterable[TicketRow]) -> Iterator[bytes]:
    """The BOM, the header, then the rows, in chunks of encoded CSV (no contact details)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_cells(row))
        yield buffer.getvalue().encode()


@router.get("/tickets.csv", response_class=StreamingResponse)
def export_csv(
    user: Exporter,
    queries: QueriesDep,
    flt: Annotated[TicketFilter, Depends(ticket_filter)],
    sort: Annotated[Sort, Depends(ticket_sort)],
) -> StreamingResponse:
    """The filtered tickets the caller may see, as CSV (never the citizens' contact details)."""
    rows = queries.rows_for_export(user, flt, sort, MAX_ROWS)
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    headers = {"Content-Disposition": f'attachment; filename="phan-anh-{stamp}.csv"'}
    return StreamingResponse(csv_chunks(rows), media_type="text/csv; charset=utf-8", headers=headers)
