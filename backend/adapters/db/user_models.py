"""Console accounts and the human take-over of citizens' conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.adapters.db.base import Base, utcnow


class User(Base):
    """An official's console account (role: administrator, dispatcher, officer, leader)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    session_epoch: Mapped[int] = mapped_column(default=0)  # bumped on log-out: old cookies die
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __str__(self) -> str:
        return self.username


class ConversationHandoff(Base):
    """One row per citizen conversation an official has taken over (active) or handed back."""

    __tablename__ = "conversation_handoffs"
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel_user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    official_username: Mapped[str] = mapped_column(String(80))
    official_name: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
