"""The console's read API: inbox, ticket page, citizen contact (audited), reference lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from backend.adapters.db.models import Category, Department, Unit
from backend.domain.lifecycle import STATUS_VI
from backend.entrypoints.api.console_deps import DetailsDep, QueriesDep
from backend.entrypoints.api.console_schemas import ticket_filter, ticket_sort
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import CurrentUser, TicketWorker
from backend.services.canned_responses import canned_responses
from backend.services.ticket_details import ContactView, TicketDetail
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort, TicketPage

router = APIRouter(prefix="/api/v1/console", tags=["console"])


@router.get("/tickets", response_model=TicketPage)
def list_tickets(
    user: TicketWorker,
    queries: QueriesDep,
    flt: Annotated[TicketFilter, Depends(ticket_filter)],
    sort: Annotated[Sort, Depends(ticket_sort)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> TicketPage:
    """The inbox: filtered, sorted, paginated, with the total and the counts per status."""
    return queries.list(user, flt, sort, page, page_size)


@router.get("/tickets/{code}", response_model=TicketDetail)
def ticket_detail(code: str, user: TicketWorker, details: DetailsDep) -> TicketDetail:
    """A ticket's page: thread, photos, audit trail, SLA, duplicates, deliveries, hand-off."""
    return details.detail(user, code)


@router.get("/tickets/{code}/contact", response_model=ContactView)
def ticket_contact(code: str, user: TicketWorker, details: DetailsDep) -> ContactView:
    """The citizen's contact (handling department and dispatchers only); each view is audited."""
    return details.contact(user, code)


@router.get("/canned-responses")
def list_canned_responses(
    _user: TicketWorker, container: ContainerDep, category: str | None = None
) -> dict[str, list[dict[str, str]]]:
    """Canned replies per category (all categories when none is given)."""
    return canned_responses(container.settings.reference_dir, category)


@router.get("/reference")
def reference_lists(_user: CurrentUser, container: ContainerDep) -> dict[str, list[dict[str, str | None]]]:
    """Statuses, categories, units and departments for the console's filters."""
    with container.session_factory() as session:
        categories = session.scalars(select(Category).order_by(Category.code)).all()
        units = session.scalars(select(Unit).order_by(Unit.town_code, Unit.name)).unique().all()
        departments = session.scalars(select(Department).where(Department.active).order_by(Department.code))
        return {
            "statuses": [{"code": s.value, "name": name} for s, name in STATUS_VI.items()],
            "categories": [{"code": c.code, "name": c.name_vi} for c in categories],
            "units": [{"code": u.code, "name": u.name, "town": u.town_code} for u in units],
            "departments": [{"code": d.code, "name": d.name} for d in departments.all()],
        }
