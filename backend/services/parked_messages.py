"""Parked inbound messages: what citizens sent that the gateway gave up on (state ``dead``: its
photo could not be fetched, or it kept failing for its own sake), with the reason, newest first.
The citizen was asked to send it again and their later messages went on without it.

They belong to conversations with the bot, not to tickets: dispatchers see them all, officers
none (like the ticketless failed deliveries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.gateway_repository import DEAD
from backend.domain.access import TICKET_WORKERS, Principal, department_scope, require
from backend.domain.sla import LOCAL_TZ
from backend.services.failed_deliveries import excerpt
from backend.services.gateway_texts import PHOTO_MARK
from channels import MessageKind
from channels._media import mask_id


@dataclass(frozen=True)
class ParkedRow:
    id: int
    created_at: datetime
    channel: str
    citizen: str  # the sender's id, masked
    kind: str
    text: str  # an excerpt
    attempts: int
    last_error: str | None  # why it was parked


@dataclass(frozen=True)
class ParkedPage:
    items: list[ParkedRow]
    total: int  # when total_capped: the cap, and more rows match
    page: int
    page_size: int
    has_next: bool = False
    total_capped: bool = False


def parked_row(record: InboundRecord) -> ParkedRow:
    """What the console shows of a parked message (never the citizen's full id)."""
    return ParkedRow(
        id=record.id, created_at=record.created_at.astimezone(LOCAL_TZ), channel=record.channel,
        citizen=mask_id(record.channel_user_id), kind=record.kind, text=excerpt(_shown(record)),
        attempts=record.attempts, last_error=record.last_error,
    )  # fmt: skip


def _shown(record: InboundRecord) -> str:
    """The message as the citizen wrote it (a photo: the mark and its caption, not the intent)."""
    text = "" if record.text.startswith("/") else record.text
    return f"{PHOTO_MARK} {text}".strip() if record.kind == MessageKind.PHOTO.value else text


class ParkedMessages:
    """The list of parked inbound messages and its capped count."""

    def __init__(self, session_factory: sessionmaker[Session], count_cap: int = 10_000) -> None:
        self.session_factory = session_factory
        self.count_cap = count_cap

    def list(self, principal: Principal, channel: str | None, page: int, page_size: int) -> ParkedPage:
        """Parked messages the official may see, newest first, one page of them."""
        require(principal, TICKET_WORKERS, "see parked messages")
        statement = _visible(select(InboundRecord), principal, channel)
        statement = statement.order_by(InboundRecord.id.desc()).offset((page - 1) * page_size)
        with self.session_factory() as session:
            found: Sequence[InboundRecord] = session.scalars(statement.limit(page_size + 1)).all()
            total, capped = self._count(session, principal, channel, self.count_cap)
        items = [parked_row(record) for record in found[:page_size]]
        return ParkedPage(items, total, page, page_size, len(found) > page_size, capped)

    def count(self, principal: Principal, cap: int) -> tuple[int, bool]:
        """How many parked messages the official may see, counting no further than ``cap``."""
        with self.session_factory() as session:
            return self._count(session, principal, None, cap)

    @staticmethod
    def _count(session: Session, principal: Principal, channel: str | None, cap: int) -> tuple[int, bool]:
        matched = _visible(select(literal(1)).select_from(InboundRecord), principal, channel)
        found = session.scalar(select(func.count()).select_from(matched.limit(cap + 1).subquery())) or 0
        return min(found, cap), found > cap


def _visible(statement: Any, principal: Principal, channel: str | None) -> Any:
    """Parked messages the principal may see (officers: none, they have no ticket), filtered."""
    statement = statement.where(InboundRecord.state == DEAD)
    if department_scope(principal):
        statement = statement.where(false())
    return statement.where(InboundRecord.channel == channel) if channel else statement
