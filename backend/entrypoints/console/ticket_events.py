"""GET /console/tickets/{code}/events: a ticket page's Server-Sent Events.

`thread` for each message after the ones the page shows (citizen, bot, official, note), `status`
and `deliveries` whenever they differ from what the stream last sent (both once at the start,
which covers anything that changed between the page's rendering and the stream's opening), and
`gone` when the official may no longer see the ticket (re-routed to another department). Every
read goes through `TicketDetails.detail`, so the stream follows the page's access rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.access import Principal
from backend.domain.errors import DomainError, NotFound
from backend.entrypoints.api.console_deps import DetailsDep
from backend.entrypoints.api.security import SessionHolds, TicketWorker
from backend.entrypoints.console.events import frame, looks
from backend.entrypoints.console.live import ConsoleFeed, ticket_topic
from backend.entrypoints.console.rendering import (
    AUTHOR_VI,
    DELIVERY_VI,
    OUTBOX_KIND_VI,
    actor_name,
    local_time,
)
from backend.services.ticket_details import TicketDetail, TicketDetails

router = APIRouter(prefix="/console/tickets", include_in_schema=False)


@dataclass
class Shown:
    """What the page shows: so many thread messages, a status, the deliveries table."""

    messages: int
    status: str | None = None
    deliveries: list[dict[str, Any]] = field(default_factory=list)


def _message(m: dict[str, Any]) -> dict[str, Any]:
    kind = m["author_kind"]
    return {
        "kind": kind if kind in AUTHOR_VI else "system",
        "author": AUTHOR_VI.get(kind, kind),
        "name": actor_name(m["author_name"]),
        "body": m["body"],
        "at": local_time(m["created_at"]),
    }


def _deliveries(detail: TicketDetail) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(r["created_at"]),
            "kind": OUTBOX_KIND_VI.get(r["kind"], r["kind"]),
            "text": r["text"] or "",
            "state": r["state"],
            "state_vi": DELIVERY_VI.get(r["state"], r["state"]),
            "attempts": r["attempts"],
            "delivered_at": local_time(r["delivered_at"]),
        }
        for r in detail.deliveries
    ]


def news(detail: TicketDetail, shown: Shown) -> list[str]:
    """The frames that bring the page from `shown` to `detail` (and update `shown`)."""
    start = shown.messages
    frames = [frame("thread", _message(m), start + i + 1) for i, m in enumerate(detail.thread[start:])]
    shown.messages = max(shown.messages, len(detail.thread))
    row = detail.ticket
    if row.status != shown.status:
        shown.status = row.status
        frames.append(frame("status", {"status": row.status, "status_vi": row.status_vi}))
    deliveries = _deliveries(detail)
    if deliveries != shown.deliveries:
        shown.deliveries = deliveries
        frames.append(frame("deliveries", {"rows": deliveries}))
    return frames


def read(details: TicketDetails, user: Principal, code: str, shown: Shown) -> tuple[list[str], bool]:
    """The frames since `shown`; `gone` (and stop) once the official may not see the ticket."""
    try:
        return news(details.detail(user, code), shown), True
    except (NotFound, DomainError):
        return [frame("gone", {})], False


async def _stream(
    request: Request, feed: ConsoleFeed, topic: str, look: Any, first: list[str], holds: Any
) -> AsyncIterator[str]:
    async for item in looks(request, feed, topic, look, holds, ["retry: 3000\n\n", *first]):
        yield item


@router.get("/{code}/events")
async def ticket_events(
    request: Request,
    code: str,
    user: TicketWorker,
    details: DetailsDep,
    holds: SessionHolds,
    after: Annotated[int, Query(ge=0, le=100_000)] = 0,
    last_event_id: Annotated[int | None, Header(ge=0, le=100_000)] = None,
) -> StreamingResponse:
    """Server-Sent Events of one ticket; 404 when the official may not see it (as the page).
    `after`: how many thread messages the page shows (a reconnecting browser's Last-Event-ID wins)."""
    try:
        detail = await run_in_threadpool(details.detail, user, code)
    except (NotFound, DomainError) as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found") from error
    shown = Shown(last_event_id if last_event_id is not None else after)
    first = news(detail, shown)
    feed: ConsoleFeed = request.app.state.console_feed
    feed.loop = asyncio.get_running_loop()
    look = lambda: read(details, user, code, shown)  # noqa: E731
    stream = _stream(request, feed, ticket_topic(detail.ticket_id), look, first, holds)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
