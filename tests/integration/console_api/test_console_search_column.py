"""Free text reads a stored folded column on PostgreSQL: filled on write, following every edit."""

from __future__ import annotations

from collections.abc import Callable

from console_testkit import create_ticket, token
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.bootstrap import Container
from backend.services.ticket_filters import search_text

INBOX = "/api/v1/console/tickets"
ROW = text(
    "SELECT code, description, location_text, area_text, search_folded FROM tickets WHERE code = :code"
)


def test_folded_column_is_filled_on_write_and_follows_edits(
    client_as: Callable[[str], TestClient],
    api_client: TestClient,
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    code = create_ticket(api_client, service_headers, token(), location_text="Chợ Hội An, Đường Trần Phú")
    with backend_container.session_factory() as session:
        *parts, folded = session.execute(ROW, {"code": code}).one()
        assert folded == search_text(*parts) and "cho hoi an, duong tran phu" in folded
        session.execute(
            text("UPDATE tickets SET location_text = 'Đường Lê Lợi' WHERE code = :c"), {"c": code}
        )
        session.commit()
    found = client_as("dispatcher").get(INBOX, params={"q": "ĐƯỜNG LÊ LỢI", "page_size": 200}).json()
    assert code in [item["code"] for item in found["items"]]
    assert found["total"] == sum(found["counts"].values())
