"""Query parameters and bodies of the console API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, StringConstraints

from backend.services.failed_deliveries import FailedFilter
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Many = Annotated[list[str] | None, Query()]
# local days, converted to UTC instants: year 1 or 9999 would overflow; the IOC has no older data
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
FromDay = Annotated[date | None, Query(alias="from", ge=EARLIEST_DAY, le=LATEST_DAY)]
ToDay = Annotated[date | None, Query(alias="to", ge=EARLIEST_DAY, le=LATEST_DAY)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row id (an SQL INTEGER)")]


def _split(values: list[str] | None) -> tuple[str, ...]:
    """?x=a&x=b and ?x=a,b both mean (a, b)."""
    return tuple(v.strip() for raw in values or [] for v in raw.split(",") if v.strip())


def ticket_filter(
    status: Many = None,
    category: Many = None,
    unit: Many = None,
    department: Many = None,
    overdue: bool = False,
    due_soon: bool = False,
    date_from: FromDay = None,
    date_to: ToDay = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> TicketFilter:
    """The inbox filters from the query string (dates are local, inclusive)."""
    return TicketFilter(
        statuses=_split(status),
        categories=_split(category),
        units=_split(unit),
        departments=_split(department),
        overdue=overdue,
        due_soon=due_soon,
        created_from=date_from,
        created_to=date_to,
        text=q,
    )


def ticket_sort(
    sort: str = "created_at", order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc"
) -> Sort:
    """Sort by created_at, due_at, status or code; asc or desc."""
    return Sort(sort, order == "desc")


ChannelQuery = Annotated[str, Query(pattern="^(telegram|zalo|webchat)?$")]


def channel_filter(channel: ChannelQuery = "") -> str | None:
    """One channel (empty: all)."""
    return channel or None


def failed_filter(
    channel: ChannelQuery = "",
    state: Annotated[str, Query(pattern="^(dead|undeliverable)?$")] = "",
) -> FailedFilter:
    """The failed-deliveries filters: one channel, one state (empty: all)."""
    return FailedFilter(channel or None, state or None)


class StatusIn(BaseModel):
    status: Code
    reason: Text | None = None


class TextIn(BaseModel):
    text: Text


class RerouteIn(BaseModel):
    reason: Text
    department: Code | None = None
    category: Code | None = None


class DuplicateIn(BaseModel):
    original_code: Code


class BulkIn(BaseModel):
    codes: list[Code]
    department: Code | None = None
    status: Code | None = None
    reason: Text | None = None
