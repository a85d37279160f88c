"""The console's failed deliveries: outbox rows that ended dead or undeliverable, and resending;
and the inbound messages the gateway parked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.entrypoints.api.console_deps import FailedDeliveriesDep, ParkedMessagesDep
from backend.entrypoints.api.console_schemas import RowId, channel_filter, failed_filter
from backend.entrypoints.api.security import TicketWorker
from backend.services.failed_deliveries import DeliveryRow, FailedFilter, FailedPage
from backend.services.parked_messages import ParkedPage

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


@router.get("/inbound", response_model=ParkedPage)
def list_parked(
    user: TicketWorker,
    parked: ParkedMessagesDep,
    channel: Annotated[str | None, Depends(channel_filter)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> ParkedPage:
    """Inbound messages the gateway gave up on (dead: a photo it could not fetch, or failing too
    often), with the reason, newest first (dispatchers; officers see none); senders masked."""
    return parked.list(user, channel, page, page_size)


@router.post("/{row_id}/resend", response_model=DeliveryRow)
def resend(row_id: RowId, user: TicketWorker, failed: FailedDeliveriesDep) -> DeliveryRow:
    """Send a dead row again (pending, attempts reset; audited on its ticket); 409 if not dead."""
    return failed.resend(user, row_id)
