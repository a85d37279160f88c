"""Gateway tables: conversations, inbound messages (stored before the webhook is answered),
the conversation thread shown in the console and the web chat, and delivery receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.adapters.db.base import Base, utcnow


class Conversation(Base):
    """One citizen on one channel: reachability, the Rasa-down acknowledgement, the forwarder's lease."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    unreachable: Mapped[bool] = mapped_column(default=False)
    unreachable_reason: Mapped[str | None] = mapped_column(String(500))
    rasa_ack_sent: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundRecord(Base):
    """Everything a citizen sent, de-duplicated by (channel, message_id). ``attempts`` counts every
    try to forward it (Rasa down included); ``failures`` only the tries that failed for the
    message's own sake, retried from ``retry_at``, and parked (state ``dead``) at the limit."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "message_id"),
        Index("ix_inbound_messages_queue", "conversation_id", "state", "id"),
        Index("ix_inbound_messages_state_created", "state", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    retry_at: Mapped[datetime | None]


class ConversationMessage(Base):
    """One turn of a citizen's thread: citizen, bot, official or system (notifications)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_thread", "conversation_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    author_kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    image_url: Mapped[str | None] = mapped_column(String(500))
    outbox_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryReceipt(Base):
    """The channel accepted an outbox row: its own message id (one receipt per row)."""

    __tablename__ = "delivery_receipts"
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), primary_key=True, autoincrement=False)
    channel_message_id: Mapped[str | None] = mapped_column(String(200))
    worker: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
