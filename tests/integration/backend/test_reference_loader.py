"""Loading the reference data twice changes nothing; tickets keep their department."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from backend.adapters.db.models import CalendarDay, Department, PlaceAlias, RoutingRuleRow, Unit
from backend.bootstrap import Container


def counts(container: Container) -> dict[str, int]:
    with container.session_factory() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Unit, Department, RoutingRuleRow, PlaceAlias, CalendarDay)
        }


def test_reload_is_idempotent(backend_container: Container) -> None:
    before = counts(backend_container)
    with backend_container.session_factory() as session:
        backend_container.reference_loader.load(session)
    assert counts(backend_container) == before
    assert before["units"] == 8 and before["place_aliases"] >= 90


def test_calendar_and_units_in_force(backend_container: Container) -> None:
    with backend_container.session_factory() as session:
        tet = session.get(CalendarDay, date(2026, 2, 17))
        unit = session.get(Unit, "hoi_an_dong")
    assert tet is not None and tet.kind == "holiday"
    assert unit is not None and unit.province == "Thành phố Đà Nẵng"
    assert "Phường Cẩm Châu" in unit.old_names
