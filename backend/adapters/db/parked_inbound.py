"""Queries over parked inbound messages (state ``dead``) for the console's list and badge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.gateway_repository import DEAD


class SqlParkedInbound:
    """Parked inbound messages, newest first, optionally of one channel."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def page(self, channel: str | None, offset: int, limit: int) -> Sequence[InboundRecord]:
        """Up to ``limit`` parked messages after the first ``offset``, newest first."""
        statement = _parked(select(InboundRecord), channel).order_by(InboundRecord.id.desc())
        with self.session_factory() as session:
            return session.scalars(statement.offset(offset).limit(limit)).all()

    def count(self, channel: str | None, cap: int) -> tuple[int, bool]:
        """How many are parked, counting no further than ``cap``; and whether more match."""
        matched = _parked(select(literal(1)).select_from(InboundRecord), channel).limit(cap + 1)
        with self.session_factory() as session:
            found = session.scalar(select(func.count()).select_from(matched.subquery())) or 0
        return min(found, cap), found > cap


def _parked(statement: Any, channel: str | None) -> Any:
    statement = statement.where(InboundRecord.state == DEAD)
    return statement.where(InboundRecord.channel == channel) if channel else statement
