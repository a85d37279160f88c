"""Accept an inbound message: store it (once) before the webhook is answered."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from backend.adapters.db.delivery_repository import PENDING
from backend.adapters.db.engine import SessionFactory, retry_if_dropped
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.inbound_batch import SqlInboundBatch
from backend.adapters.db.models import OutboxMessage
from backend.adapters.redis.rate_limit import AbstractRateLimiter
from backend.services.gateway_texts import GATEWAY_TEXTS, LOCATION_MARK, PHOTO_MARK
from channels import Channel, InboundMessage, MessageKind

if TYPE_CHECKING:
    from backend.services.conversation_store import Lease

RATE_LIMITED = "rate_limited"
Key = tuple[str, str]  # (channel, message id)
LeaseMany = Callable[[Session, list[int], datetime], dict[int, "Lease"]]


@dataclass(frozen=True)
class Accepted:
    """What happened to an inbound message."""

    conversation_id: int
    new: bool
    state: str = PENDING
    recipient: tuple[str, str] | None = None  # set when a notice waits for delivery
    lease: Lease | None = None  # the conversation's forwarder lease, taken in the same transaction


def rasa_text(message: InboundMessage) -> str:
    """The text Rasa receives: payloads for locations, photos, buttons and /start."""
    if message.kind is MessageKind.LOCATION:
        coordinates = {"latitude": message.latitude, "longitude": message.longitude}
        return "/share_location" + json.dumps(coordinates)
    if message.kind is MessageKind.PHOTO and not message.text.strip():
        return "/send_photo"
    if message.kind is MessageKind.CALLBACK:
        return message.callback_data or message.text
    if message.kind is MessageKind.START:
        return "/greet"
    return message.text


def thread_text(message: InboundMessage, button_title: str | None = None) -> str:
    """How the citizen's turn reads in the conversation thread (a pressed button: its title)."""
    if button_title:
        return button_title
    if message.kind is MessageKind.LOCATION:
        return f"{LOCATION_MARK} {message.latitude}, {message.longitude}"
    if message.kind is MessageKind.PHOTO:
        return f"{PHOTO_MARK} {message.text}".strip()
    return message.text


def notice_row(channel: str, user_id: str, text_key: str, key: str, now: datetime) -> OutboxMessage:
    """An outbox row with one of the gateway's own messages."""
    return OutboxMessage(
        ticket_id=None, channel=channel, channel_user_id=user_id, kind=f"gateway_{text_key}",
        payload={"text": GATEWAY_TEXTS[text_key], "buttons": []}, idempotency_key=key,
        state=PENDING, attempts=0, next_attempt_at=now + timedelta(seconds=15),
    )  # fmt: skip


class InboundService:
    """Stores inbound messages, de-duplicated by (channel, message id), and rate-limits senders."""

    def __init__(
        self,
        session_factory: SessionFactory,
        limiter: AbstractRateLimiter,
        clock: Callable[[], datetime],
        lease_many: LeaseMany | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.limiter = limiter
        self.clock = clock
        self.lease_many = lease_many

    def accept(self, message: InboundMessage) -> Accepted:
        """Store the message and its thread turn; a repeated delivery stores nothing."""
        return self.accept_many([message])[0]

    def accept_many(self, messages: Sequence[InboundMessage]) -> list[Accepted]:
        """Store a batch of messages and their thread turns in one transaction (committed when
        this returns); a repeated delivery, also within the batch, stores nothing."""
        verdicts = self._verdicts(messages)
        return retry_if_dropped(lambda: self._store(messages, verdicts))

    def _store(self, messages: Sequence[InboundMessage], verdicts: list[str]) -> list[Accepted]:
        now = self.clock()
        with self.session_factory() as session:
            batch = SqlInboundBatch(session)
            names = {(m.channel.value, m.channel_user_id): m.display_name for m in messages}
            conversations = batch.conversations(names, now)
            records = [self._record(conversations[(m.channel.value, m.channel_user_id)], m, verdict, now)
                       for m, verdict in zip(messages, verdicts, strict=True)]  # fmt: skip
            outcome = _Outcome(session, batch, now)
            stored = batch.insert_inbound(_first_of_each(records), outcome.turns(messages, records))
            accepted = outcome.settle(messages, records, verdicts, stored)
            if self.lease_many is not None:
                accepted = _with_leases(accepted, self.lease_many(session, _to_forward(accepted), now))
            session.commit()
        return accepted

    def _verdicts(self, messages: Sequence[InboundMessage]) -> list[str]:
        counted = [m.sender_id for m in messages if m.kind not in (MessageKind.FOLLOW, MessageKind.UNFOLLOW)]
        verdicts = iter(self.limiter.verdicts(counted) if counted else [])
        return ["ok" if m.kind in (MessageKind.FOLLOW, MessageKind.UNFOLLOW) else next(verdicts)
                for m in messages]  # fmt: skip

    def _record(
        self, conversation_id: int, message: InboundMessage, verdict: str, now: datetime
    ) -> dict[str, Any]:
        return {
            "conversation_id": conversation_id,
            "channel": message.channel.value,
            "channel_user_id": message.channel_user_id,
            "message_id": message.message_id,
            "kind": message.kind.value,
            "text": rasa_text(message),
            "details": _details(message),
            "state": PENDING if verdict == "ok" else RATE_LIMITED,
            "attempts": 0,
            "created_at": now,
        }


class _Outcome:
    """The thread turns stored with the inbound rows, and the writes that follow: conversations,
    notices."""

    def __init__(self, session: Session, batch: SqlInboundBatch, now: datetime) -> None:
        self.session, self.batch, self.now = session, batch, now
        self.repo = SqlConversationRepository(session)

    def settle(self, messages: Sequence[InboundMessage], records: list[dict[str, Any]],
               verdicts: list[str], stored: dict[tuple[str, str], int]) -> list[Accepted]:  # fmt: skip
        """Conversation updates for the messages stored now; what each request gets."""
        accepted, seen = [], set()
        for message, record, verdict in zip(messages, records, verdicts, strict=True):
            key = (record["channel"], record["message_id"])
            record_id = stored.get(key) if key not in seen else None
            seen.add(key)
            if record_id is None:
                accepted.append(Accepted(record["conversation_id"], new=False))
                continue
            accepted.append(self._accepted(message, record, record_id, verdict))
        fresh = [a.conversation_id for a in accepted if a.new]
        reachable = [a.conversation_id for a, m in zip(accepted, messages, strict=True)
                     if a.new and m.kind is not MessageKind.UNFOLLOW]  # fmt: skip
        self.batch.touch(fresh, reachable, self.now)
        return accepted

    def turns(
        self, messages: Sequence[InboundMessage], records: list[dict[str, Any]]
    ) -> dict[Key, dict[str, Any]]:
        """The citizen's thread turn of each message, by (channel, message id); stored only with
        a message stored now."""
        turns: dict[Key, dict[str, Any]] = {}
        for message, record in zip(messages, records, strict=True):
            key = (record["channel"], record["message_id"])
            if key not in turns:
                turns[key] = self._turn(message, record)
        return turns

    def _turn(self, message: InboundMessage, record: dict[str, Any]) -> dict[str, Any]:
        conversation_id = record["conversation_id"]
        title = (
            self.repo.button_title(conversation_id, message.text)
            if message.kind is MessageKind.CALLBACK
            else None
        )
        return {"conversation_id": conversation_id, "direction": "in", "author_kind": "citizen",
                "text": thread_text(message, title), "buttons": [], "image_url": _own_photo(message),
                "outbox_key": None, "created_at": self.now}  # fmt: skip

    def _accepted(
        self, message: InboundMessage, record: dict[str, Any], record_id: int, verdict: str
    ) -> Accepted:
        recipient = None
        if verdict == "limited_first":
            self.session.add(notice_row(message.channel.value, message.channel_user_id, "rate_limited",
                                        f"rate_limited:{record_id}", self.now))  # fmt: skip
            recipient = (message.channel.value, message.channel_user_id)
        return Accepted(record["conversation_id"], new=True, state=record["state"], recipient=recipient)


def _to_forward(accepted: list[Accepted]) -> list[int]:
    """Conversations with a message stored now that waits for forwarding."""
    return sorted({a.conversation_id for a in accepted if a.new and a.state == PENDING})


def _with_leases(accepted: list[Accepted], leases: dict[int, Lease]) -> list[Accepted]:
    """Each lease goes with the first message of its conversation stored now (the others of the
    batch find the drain it starts already running)."""
    outcome = []
    for item in accepted:
        lease = leases.pop(item.conversation_id, None) if item.new and item.state == PENDING else None
        outcome.append(dataclasses.replace(item, lease=lease) if lease else item)
    return outcome


def _first_of_each(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (channel, message id): a retry that arrives in the same batch is a duplicate."""
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        unique.setdefault((record["channel"], record["message_id"]), record)
    return list(unique.values())


def _details(message: InboundMessage) -> dict[str, Any]:
    details: dict[str, Any] = {
        "display_name": message.display_name,
        "photo_refs": list(message.photo_refs),
        "photo_urls": list(message.photo_urls),
        "latitude": message.latitude,
        "longitude": message.longitude,
        "callback_id": message.callback_id,
    }
    return {key: value for key, value in details.items() if value not in (None, [])}


def _own_photo(message: InboundMessage) -> str | None:
    """Web chat photos are already on our media URLs; other channels' are fetched later."""
    if message.channel is Channel.WEBCHAT and message.photo_urls:
        return message.photo_urls[0]
    return None
