"""Cached reference data follows every change: an admin edit or a new `load-reference`."""

from __future__ import annotations

import uuid

from backend_testkit import report
from fastapi.testclient import TestClient
from sqlalchemy import delete

from backend.adapters.db.models import PlaceAlias, Setting
from backend.adapters.db.reference_models import VERSION_KEY
from backend.bootstrap import Container
from backend.domain.text import normalise


def reference_version(container: Container) -> str | None:
    with container.session_factory() as session:
        row = session.get(Setting, VERSION_KEY)
        return row.value if row else None


def create_unit(client: TestClient, headers: dict[str, str], area: str) -> object:
    body = report(area=area, location_text="ngoài chợ")
    response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["unit"]


def test_a_new_alias_is_used_by_the_next_ticket(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    area = f"xóm thử {uuid.uuid4().hex[:8]}"
    assert create_unit(api_client, service_headers, area) is None  # the gazetteer is now cached
    alias = PlaceAlias(alias=normalise(area), unit_code="hoi_an_dong", town_code="hoi_an", source="new")
    with backend_container.session_factory() as session:
        session.add(alias)
        session.commit()
    try:
        assert create_unit(api_client, service_headers, area) == {
            "code": "hoi_an_dong",
            "name": "Phường Hội An Đông",
        }
    finally:
        with backend_container.session_factory() as session:
            session.execute(delete(PlaceAlias).where(PlaceAlias.alias == normalise(area)))
            session.commit()


def test_load_reference_gives_a_new_version(backend_container: Container) -> None:
    before = reference_version(backend_container)
    with backend_container.session_factory() as session:
        backend_container.reference_loader.load(session)
    after = reference_version(backend_container)
    assert before and after and after != before
