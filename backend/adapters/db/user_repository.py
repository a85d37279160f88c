"""Persistence of console accounts and conversation hand-offs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.adapters.db.user_models import ConversationHandoff, User


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: int) -> User | None:
        """An account by id."""
        return self.session.get(User, user_id)

    def by_username(self, username: str, *, for_update: bool = False) -> User | None:
        """An account by user name (case-insensitive), optionally locked."""
        statement = select(User).where(User.username == username.strip().lower())
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).first()

    def add(self, user: User) -> None:
        """Stage a new account."""
        self.session.add(user)
        self.session.flush()

    def all(self) -> Sequence[User]:
        """Every account, by user name."""
        return self.session.scalars(select(User).order_by(User.username)).all()


class SqlHandoffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(
        self, channel: str, channel_user_id: str, *, for_update: bool = False
    ) -> ConversationHandoff | None:
        """The hand-off row of a conversation, if any."""
        statement = select(ConversationHandoff).where(
            ConversationHandoff.channel == channel, ConversationHandoff.channel_user_id == channel_user_id
        )
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).first()

    def add(self, row: ConversationHandoff) -> None:
        """Stage a new hand-off row."""
        self.session.add(row)
