"""Query parameters and bodies of the console API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, StringConstraints

from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort, TicketRow

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Many = Annotated[list[str] | None, Query()]


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
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
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


class TicketRowOut(BaseModel):
    code: str
    status: str
    status_vi: str
    category: str
    category_name: str
    unit_code: str | None
    unit_name: str | None
    department_code: str
    department_name: str
    channel: str
    description: str
    location_text: str | None
    created_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    overdue: bool
    due_soon: bool
    rating: int | None
    possible_duplicate_of: str | None

    @classmethod
    def of(cls, row: TicketRow) -> TicketRowOut:
        """Build from the service row."""
        return cls(**row.__dict__)


class TicketPageOut(BaseModel):
    items: list[TicketRowOut]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]


class TicketDetailOut(BaseModel):
    ticket: TicketRowOut
    full_description: str
    area_text: str | None
    latitude: float | None
    longitude: float | None
    nlu_category: str | None
    nlu_confidence: float | None
    resolution_text: str | None
    referral_text: str | None
    duplicate_of: str | None
    rating_comment: str | None
    sla_remaining_s: int | None
    photos: list[str]
    thread: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    related: list[dict[str, str]]
    handoff: dict[str, Any] | None
    contact_visible: bool


class ContactOut(BaseModel):
    channel: str
    channel_user_id: str
    display_name: str | None
    phone: str | None


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


class HandoffOut(BaseModel):
    active: bool
    official_username: str | None
    official_name: str | None
    ticket_code: str | None
