"""Request and response bodies of the bot ↔ backend API (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.services.commands import Contact, CreateTicket
from backend.services.views import NamedRef, TicketView

ChannelName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,19}$")]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
TICKET_CODE_EXAMPLE = "PA-2026-000123"


class ContactIn(BaseModel):
    channel: ChannelName
    channel_user_id: UserId
    display_name: ShortText | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None


class TicketCreateIn(BaseModel):
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    description: LongText
    location_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    area: ShortText | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    photo_urls: list[Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=10
    )
    nlu_category: ShortText | None = None
    nlu_confidence: float | None = Field(default=None, ge=0, le=1)
    contact: ContactIn

    def to_command(self, idempotency_key: str | None) -> CreateTicket:
        """The service command for this request."""
        data = self.model_dump(exclude={"contact"})
        return CreateTicket(
            contact=Contact(**self.contact.model_dump()), idempotency_key=idempotency_key, **data
        )


class Ref(BaseModel):
    code: str
    name: str

    @classmethod
    def of(cls, ref: NamedRef) -> Ref:
        """Convert a service reference."""
        return cls(code=ref.code, name=ref.name)

    @classmethod
    def optional(cls, ref: NamedRef | None) -> Ref | None:
        """Convert a service reference that may be missing."""
        return cls.of(ref) if ref else None


class TicketCreatedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"code": TICKET_CODE_EXAMPLE}})
    code: str
    status: str
    category: str
    department: Ref
    unit: Ref | None
    due_at: datetime
    possible_duplicate_of: str | None

    @classmethod
    def of(cls, view: TicketView) -> TicketCreatedOut:
        """Build from a service view."""
        return cls(
            code=view.code,
            status=view.status,
            category=view.category,
            department=Ref.of(view.department),
            unit=Ref.optional(view.unit),
            due_at=view.due_at,
            possible_duplicate_of=view.possible_duplicate_of,
        )


class TicketStatusOut(BaseModel):
    code: str
    status: str
    status_vi: str
    category: str
    category_name: str
    department: Ref
    department_name: str
    unit: Ref | None
    due_at: datetime
    overdue: bool
    last_reply: str | None
    created_at: datetime
    duplicate_of: str | None
    rating: int | None

    @classmethod
    def of(cls, view: TicketView) -> TicketStatusOut:
        """Build from a service view."""
        return cls(
            code=view.code,
            status=view.status,
            status_vi=view.status_vi,
            category=view.category,
            category_name=view.category_name,
            department=Ref.of(view.department),
            department_name=view.department.name,
            unit=Ref.optional(view.unit),
            due_at=view.due_at,
            overdue=view.overdue,
            last_reply=view.last_reply,
            created_at=view.created_at,
            duplicate_of=view.duplicate_of,
            rating=view.rating,
        )


class TicketListOut(BaseModel):
    items: list[TicketStatusOut]


class RatingIn(BaseModel):
    channel: ChannelName
    channel_user_id: UserId
    score: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class RatingOut(BaseModel):
    code: str
    score: int


class PhotoOut(BaseModel):
    url: str
