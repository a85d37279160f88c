"""The inbox page: filters, counts per status, sort, pages, and the dispatcher's bulk actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.domain.access import Principal, Role
from backend.domain.errors import DomainError
from backend.domain.lifecycle import STATUS_VI, Status
from backend.entrypoints.api.console_api import reference_lists
from backend.entrypoints.api.console_deps import ActionsDep, QueriesDep
from backend.entrypoints.api.console_schemas import ticket_filter, ticket_sort
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import CurrentUser, Dispatcher
from backend.entrypoints.console.auth_pages import home_of
from backend.entrypoints.console.messages import vietnamese_error
from backend.entrypoints.console.rendering import render
from backend.services.console_actions import BulkCommand
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 25
SORT_VI = {"created_at": "Ngày tiếp nhận", "due_at": "Hạn xử lý", "status": "Trạng thái", "code": "Mã"}
BULK_STATUSES = (Status.IN_PROGRESS, Status.CLOSED)


def _filters_of(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {key: params.getlist(key) for key in ("status", "category", "unit", "department")} | {
        key: params.get(key, "") for key in ("from", "to", "q", "overdue", "due_soon")
    }


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request,
    user: CurrentUser,
    container: ContainerDep,
    queries: QueriesDep,
    flt: Annotated[TicketFilter, Depends(ticket_filter)],
    sort: Annotated[Sort, Depends(ticket_sort)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The tickets the official may work, newest first by default."""
    if user.role not in (Role.DISPATCHER, Role.OFFICER):
        return RedirectResponse(home_of(user), status.HTTP_303_SEE_OTHER)
    result = queries.list(user, flt, sort, page, PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render(
        request,
        "inbox.html",
        user,
        page=result,
        pages=pages,
        count_cap=container.settings.inbox_count_cap,
        sort=sort,
        sorts=SORT_VI,
        statuses=STATUS_VI,
        filters=_filters_of(request),
        reference=reference_lists(user, container),
        bulk_statuses=[(s.value, STATUS_VI[s]) for s in BULK_STATUSES],
        is_dispatcher=user.role == Role.DISPATCHER,
        scope_name=_department_name(user, container),
    )


def _department_name(user: Principal, container: Any) -> str | None:
    if user.role != Role.OFFICER:
        return None
    departments = reference_lists(user, container)["departments"]
    return next((d["name"] for d in departments if d["code"] == user.department_code), None)


@router.post("/bulk", response_class=HTMLResponse)
def bulk(
    request: Request,
    user: Dispatcher,
    actions: ActionsDep,
    codes: Annotated[list[str], Form(alias="code")],
    department: Annotated[str, Form(max_length=60)] = "",
    status_: Annotated[str, Form(alias="status", max_length=30)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Re-route and/or change the status of the checked tickets (dispatchers only)."""
    command = BulkCommand(tuple(codes), department or None, status_ or None, reason.strip() or None)
    try:
        results = actions.bulk(user, command)
    except DomainError as error:
        return render(request, "bulk_result.html", user, status_code=422, error=vietnamese_error(error))
    failed = [r for r in results if not r.ok]
    if failed:
        return render(request, "bulk_result.html", user, results=results, back=_back(back))
    return RedirectResponse(_back(back) + "&ok=bulk", status.HTTP_303_SEE_OTHER)


def _back(back: str) -> str:
    return back if back.startswith("/console?") else "/console?"
