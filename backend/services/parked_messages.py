"""Parked inbound messages: what citizens sent that the gateway gave up on (state ``dead``: its
photo could not be fetched, or it kept failing for its own sake), with the reason, newest first.
The citizen was asked to send it again and their later messages went on without it.

They belong to conversations with the bot, not to tickets: dispatchers see them all, officers
none (like the ticketless failed deliveries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.parked_inbound import SqlParkedInbound
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
    """The list of parked inbound messages and its capped count; officers see none (no ticket)."""

    def __init__(self, parked: SqlParkedInbound, count_cap: int = 10_000) -> None:
        self.parked = parked
        self.count_cap = count_cap

    def list(self, principal: Principal, channel: str | None, page: int, page_size: int) -> ParkedPage:
        """Parked messages the official may see, newest first, one page of them."""
        require(principal, TICKET_WORKERS, "see parked messages")
        if department_scope(principal):
            return ParkedPage([], 0, page, page_size)
        found = self.parked.page(channel, (page - 1) * page_size, page_size + 1)
        total, capped = self.parked.count(channel, self.count_cap)
        items = [parked_row(record) for record in found[:page_size]]
        return ParkedPage(items, total, page, page_size, len(found) > page_size, capped)

    def count(self, principal: Principal, cap: int) -> tuple[int, bool]:
        """How many parked messages the official may see, counting no further than ``cap``."""
        return (0, False) if department_scope(principal) else self.parked.count(None, cap)
