"""Inputs of the ticket use cases (plain dataclasses, independent of the web layer)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contact:
    channel: str
    channel_user_id: str
    display_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CreateTicket:
    category: str
    description: str
    contact: Contact
    location_text: str | None = None
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo_urls: list[str] = field(default_factory=list)
    nlu_category: str | None = None
    nlu_confidence: float | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ChangeStatus:
    code: str
    status: str
    actor: str
    text: str | None = None  # the answer (resolved) or the referral (rejected) or a reason


@dataclass(frozen=True)
class Reroute:
    """Re-categorise and/or forward to another department."""

    code: str
    actor: str
    reason: str
    category: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class Rate:
    code: str
    channel: str
    channel_user_id: str
    score: int
    comment: str | None = None
