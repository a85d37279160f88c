"""GET /console/events: the inbox's Server-Sent Events (new tickets, new citizen messages)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backend.domain.access import department_scope
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import SessionHolds, TicketWorker
from backend.entrypoints.console.live import (
    TOPIC,
    ConsoleFeed,
    Watermark,
    current_watermark,
    messages_after,
    tickets_after,
)
from backend.entrypoints.console.rendering import CHANNEL_VI, local_time
from backend.services.ticket_queries import ticket_row

router = APIRouter(prefix="/console", include_in_schema=False)
HEARTBEAT_SECONDS = 15.0


def frame(kind: str, data: dict[str, Any], event_id: int | None = None) -> str:
    """One Server-Sent Event (with an id, which the browser sends back when it reconnects)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _ticket_data(ticket: Any, now: Any) -> dict[str, Any]:
    row = ticket_row(ticket, now)
    return {
        "code": row.code,
        "status": row.status,
        "status_vi": row.status_vi,
        "category_name": row.category_name,
        "unit_name": row.unit_name or "",
        "department_name": row.department_name,
        "channel": CHANNEL_VI.get(row.channel, row.channel),
        "description": row.description,
        "created_at": local_time(row.created_at),
        "due_at": local_time(row.due_at),
        "overdue": row.overdue,
    }


def read_news(
    factory: sessionmaker[Session], scope: str | None, mark: Watermark, now: Any
) -> tuple[list[str], Watermark]:
    """The event frames since the mark, and the new mark."""
    with factory() as session:
        frames = [
            frame("ticket", _ticket_data(t, now)) for t in tickets_after(session, scope, mark.ticket_id)
        ]
        for code, message in messages_after(session, scope, mark):
            frames.append(
                frame(
                    "message",
                    {"code": code, "body": message.body[:200], "at": local_time(message.created_at)},
                )
            )
        return frames, current_watermark(session, scope)


Read = Callable[[], tuple[list[str], bool]]


def _guarded(read: Read, holds: Callable[[], bool]) -> tuple[list[str], bool]:
    return read() if holds() else ([], False)


async def looks(
    request: Request,
    feed: ConsoleFeed,
    topic: str,
    read: Read,
    holds: Callable[[], bool],
    opening: Sequence[str] = ("retry: 3000\n\n",),
) -> AsyncIterator[str]:
    """`opening` once subscribed to `topic`'s wake-ups (so what follows the browser's first bytes
    wakes the stream), then the frames `read()` gives (in a thread) on each wake-up and every poll
    interval, with a heartbeat when idle, until the browser goes, `read` says stop or the session
    no longer `holds` (checked before each read, so before any frame is sent)."""
    idle, going = 0.0, True
    async with feed.fanout.subscribe(topic) as woken:
        for item in opening:
            yield item
        while going and not await request.is_disconnected():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), feed.poll_seconds)
            woken.clear()
            frames, going = await run_in_threadpool(_guarded, read, holds)
            for item in frames:
                yield item
            idle = 0.0 if frames else idle + feed.poll_seconds
            if idle >= HEARTBEAT_SECONDS:
                idle = 0.0
                yield ": ping\n\n"


async def _stream(
    request: Request, feed: ConsoleFeed, factory: Any, scope: str | None, clock: Any, holds: Any
) -> AsyncIterator[str]:
    mark = await run_in_threadpool(lambda: current_watermark_of(factory, scope))

    def read() -> tuple[list[str], bool]:
        nonlocal mark
        frames, mark = read_news(factory, scope, mark, clock())
        return frames, True

    async for item in looks(request, feed, TOPIC, read, holds):
        yield item


def current_watermark_of(factory: sessionmaker[Session], scope: str | None) -> Watermark:
    """The current mark, read in its own session."""
    with factory() as session:
        return current_watermark(session, scope)


@router.get("/events")
async def events(
    request: Request, user: TicketWorker, container: ContainerDep, holds: SessionHolds
) -> StreamingResponse:
    """Server-Sent Events: `ticket` for each new ticket, `message` for each new citizen message."""
    feed: ConsoleFeed = request.app.state.console_feed
    feed.loop = asyncio.get_running_loop()
    scope = department_scope(user)
    stream = _stream(request, feed, container.session_factory, scope, container.clock, holds)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
