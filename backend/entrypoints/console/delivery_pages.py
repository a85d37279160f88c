"""The failed-deliveries page: messages to citizens that ended dead or undeliverable, with or
without a ticket, and sending a dead one again; and its sibling, the citizens' messages the
gateway parked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.domain.access import Principal
from backend.domain.errors import DomainError, NotFound
from backend.entrypoints.api.console_deps import FailedDeliveriesDep, ParkedMessagesDep
from backend.entrypoints.api.console_schemas import RowId, channel_filter, failed_filter
from backend.entrypoints.api.security import TicketWorker
from backend.entrypoints.console.messages import vietnamese_error
from backend.entrypoints.console.rendering import render
from backend.services.failed_deliveries import FailedDeliveries, FailedFilter

router = APIRouter(prefix="/console/deliveries", include_in_schema=False)
PAGE_SIZE = 25
HOME = "/console/deliveries"


def _page(
    request: Request,
    user: Principal,
    failed: FailedDeliveries,
    flt: FailedFilter,
    page: int,
    error: DomainError | None = None,
) -> Response:
    result = failed.list(user, flt, page, PAGE_SIZE)
    code = 200 if error is None else 404 if isinstance(error, NotFound) else 409
    return render(
        request,
        "deliveries.html",
        user,
        status_code=code,
        error=vietnamese_error(error) if error else None,
        page=result,
        pages=max(1, -(-result.total // PAGE_SIZE)),
        filters=flt,
    )


@router.get("", response_class=HTMLResponse)
def failed_list(
    request: Request,
    user: TicketWorker,
    failed: FailedDeliveriesDep,
    flt: Annotated[FailedFilter, Depends(failed_filter)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Dead and undeliverable messages the official may see, newest first."""
    return _page(request, user, failed, flt, page)


@router.get("/inbound", response_class=HTMLResponse)
def parked_list(
    request: Request,
    user: TicketWorker,
    parked: ParkedMessagesDep,
    channel: Annotated[str | None, Depends(channel_filter)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Citizens' messages the gateway gave up on, with the reason, newest first."""
    result = parked.list(user, channel, page, PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render(request, "parked.html", user, page=result, pages=pages, channel=channel)


@router.post("/{row_id}/resend", response_class=HTMLResponse)
def resend(
    request: Request,
    row_id: RowId,
    user: TicketWorker,
    failed: FailedDeliveriesDep,
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Send a dead message again, then back to the list with a confirmation."""
    try:
        failed.resend(user, row_id)
    except DomainError as error:
        return _page(request, user, failed, FailedFilter(), 1, error)
    target = back if back.startswith(HOME + "?") else HOME + "?"
    return RedirectResponse(f"{target}&ok=resent", status.HTTP_303_SEE_OTHER)
