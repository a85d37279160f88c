"""Ticket tables: tickets, photos, messages, audit trail, subscriptions, code counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.adapters.db.base import Base, utcnow
from backend.adapters.db.reference_models import Category, Department, Unit


class TicketCodeCounter(Base):
    """The last number handed out per year; incremented in the creating transaction."""

    __tablename__ = "ticket_code_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_citizen", "citizen_channel", "citizen_user_id", "created_at"),
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_department_status", "department_code", "status"),
        Index("ix_tickets_open_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    nlu_category: Mapped[str | None] = mapped_column(String(40))
    nlu_confidence: Mapped[float | None]
    description: Mapped[str] = mapped_column(Text)
    location_text: Mapped[str | None] = mapped_column(String(500))
    area_text: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    town_code: Mapped[str | None] = mapped_column(ForeignKey("towns.code"))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    routing_match: Mapped[str] = mapped_column(String(20), default="fallback")
    citizen_channel: Mapped[str] = mapped_column(String(20))
    citizen_user_id: Mapped[str] = mapped_column(String(100))
    citizen_name: Mapped[str | None] = mapped_column(String(200))
    citizen_phone: Mapped[str | None] = mapped_column(String(30))
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    possible_duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    resolution_text: Mapped[str | None] = mapped_column(Text)
    referral_text: Mapped[str | None] = mapped_column(Text)
    rating_score: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]

    category: Mapped[Category] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    possible_duplicate_of: Mapped[Ticket | None] = relationship(
        remote_side=[id], foreign_keys=[possible_duplicate_of_id]
    )
    duplicate_of: Mapped[Ticket | None] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])
    photos: Mapped[list[TicketPhoto]] = relationship(back_populates="ticket", order_by="TicketPhoto.id")
    messages: Mapped[list[TicketMessage]] = relationship(back_populates="ticket", order_by="TicketMessage.id")

    def __str__(self) -> str:
        return self.code


class TicketPhoto(Base):
    __tablename__ = "ticket_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to MEDIA_DIR
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ticket: Mapped[Ticket] = relationship(back_populates="photos")


class TicketMessage(Base):
    """One turn of the ticket's thread: citizen, bot, official or internal_note."""

    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_kind: Mapped[str] = mapped_column(String(20))
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class AuditEntry(Base):
    """Append-only: who did what to a ticket, and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(_mapper: Any, _connection: Any, entry: AuditEntry) -> None:
    raise PermissionError(f"audit entry {entry.id} is append-only")


class Subscription(Base):
    """A citizen (other than the owner) who hears about a ticket, e.g. from a duplicate."""

    __tablename__ = "ticket_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str] = mapped_column(String(100))
    via_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
