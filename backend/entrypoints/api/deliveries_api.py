"""The console's failed deliveries: outbox rows that ended dead or undeliverable, and resending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.entrypoints.api.console_deps import FailedDeliveriesDep
from backend.entrypoints.api.console_schemas import failed_filter
from backend.entrypoints.api.security import TicketWorker
from backend.services.failed_deliveries import DeliveryRow, FailedFilter, FailedPage

router = APIRouter(prefix="/api/v1/console/deliveries", tags=["console"])


@router.get("/failed", response_model=FailedPage)
def list_failed(
    user: TicketWorker,
    failed: FailedDeliveriesDep,
    flt: Annotated[FailedFilter, Depends(failed_filter)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> FailedPage:
    """Dead and undeliverable rows, with or without a ticket, newest first (officers: their
    department's tickets only); recipients masked."""
    return failed.list(user, flt, page, page_size)


@router.post("/{row_id}/resend", response_model=DeliveryRow)
def resend(row_id: int, user: TicketWorker, failed: FailedDeliveriesDep) -> DeliveryRow:
    """Send a dead row again (pending, attempts reset; audited on its ticket); 409 if not dead."""
    return failed.resend(user, row_id)
