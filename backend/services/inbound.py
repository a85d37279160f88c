"""Accept an inbound message: store it (once) before the webhook is answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.delivery_repository import PENDING
from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.models import OutboxMessage
from backend.adapters.redis.rate_limit import AbstractRateLimiter
from backend.services.gateway_texts import GATEWAY_TEXTS, LOCATION_MARK, PHOTO_MARK
from channels import Channel, InboundMessage, MessageKind

RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class Accepted:
    """What happened to an inbound message."""

    conversation_id: int
    new: bool
    state: str = PENDING
    recipient: tuple[str, str] | None = None  # set when a notice waits for delivery


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
        session_factory: sessionmaker[Session],
        limiter: AbstractRateLimiter,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.limiter = limiter
        self.clock = clock

    def accept(self, message: InboundMessage) -> Accepted:
        """Store the message and its thread turn; a repeated delivery stores nothing."""
        with self.session_factory() as session:
            repo = SqlConversationRepository(session)
            conversation = repo.get_or_create(
                message.channel.value, message.channel_user_id, message.display_name
            )
            session.flush()
            verdict = self._verdict(message)
            state = PENDING if verdict == "ok" else RATE_LIMITED
            record = self._record(conversation.id, message, state)
            if not repo.add_inbound(record):
                session.rollback()
                return Accepted(conversation.id, new=False)
            conversation.last_message_at = self.clock()
            if message.kind is not MessageKind.UNFOLLOW:
                conversation.unreachable, conversation.unreachable_reason = False, None
            text = thread_text(
                message,
                repo.button_title(conversation.id, message.text)
                if message.kind is MessageKind.CALLBACK
                else None,
            )
            repo.add_turn(conversation.id, "in", "citizen", text=text,
                          image_url=_own_photo(message), inbound_id=record.id)  # fmt: skip
            recipient = None
            if verdict == "limited_first":
                self._notice(session, message, record)
                recipient = (message.channel.value, message.channel_user_id)
            session.commit()
            return Accepted(conversation.id, new=True, state=state, recipient=recipient)

    def _verdict(self, message: InboundMessage) -> str:
        if message.kind in (MessageKind.FOLLOW, MessageKind.UNFOLLOW):
            return "ok"
        return self.limiter.verdict(message.sender_id)

    def _notice(self, session: Session, message: InboundMessage, record: InboundRecord) -> None:
        session.flush()
        session.add(notice_row(message.channel.value, message.channel_user_id, "rate_limited",
                               f"rate_limited:{record.id}", self.clock()))  # fmt: skip

    def _record(self, conversation_id: int, message: InboundMessage, state: str) -> InboundRecord:
        return InboundRecord(
            conversation_id=conversation_id,
            channel=message.channel.value,
            channel_user_id=message.channel_user_id,
            message_id=message.message_id,
            kind=message.kind.value,
            text=rasa_text(message),
            details=_details(message),
            state=state,
            created_at=self.clock(),
        )


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
