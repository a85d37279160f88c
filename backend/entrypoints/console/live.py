"""Live console: new tickets and messages reach open inboxes and ticket pages without a reload.

The database is the source of truth: each console's event stream remembers what it has shown
and reads what came after. A wake-up says "look now": every commit that adds a ticket or a
message publishes one for the inbox (TOPIC), and every commit that touches a ticket, its thread,
audit trail or outbox rows publishes one for that ticket's page (`ticket_topic`), on the
gateway's fan-out port (Redis pub/sub when REDIS_URL is set, so every replica and the worker
process reach every stream; in-process otherwise). Streams also look on a short timer, so a lost
wake-up only delays an update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import AuditEntry, OutboxMessage, Ticket, TicketMessage
from backend.adapters.redis.fanout import AbstractFanOut, InProcessFanOut, RedisFanOut
from backend.settings import Settings

logger = logging.getLogger(__name__)
TOPIC = "console:inbox"
TICKET_TOPIC = "console:ticket:"
MAX_ITEMS = 20
_DIRTY = "console_live_dirty"


def ticket_topic(ticket_id: int) -> str:
    """The wake-up topic of one ticket's page."""
    return f"{TICKET_TOPIC}{ticket_id}"


@dataclass
class Watermark:
    ticket_id: int = 0
    message_id: int = 0


def _scoped(statement: Any, scope: str | None) -> Any:
    return statement.where(Ticket.department_code == scope) if scope else statement


def current_watermark(session: Session, scope: str | None) -> Watermark:
    """The newest ticket and citizen message the scope (one department, or all) can see."""
    tickets = _scoped(select(func.max(Ticket.id)), scope)
    messages = _scoped(
        select(func.max(TicketMessage.id)).join(Ticket).where(TicketMessage.author_kind == "citizen"), scope
    )
    return Watermark(session.scalar(tickets) or 0, session.scalar(messages) or 0)


def tickets_after(session: Session, scope: str | None, after: int) -> list[Ticket]:
    """Tickets newer than `after`, oldest first (at most MAX_ITEMS)."""
    statement = _scoped(select(Ticket).where(Ticket.id > after), scope)
    return list(session.scalars(statement.order_by(Ticket.id).limit(MAX_ITEMS)).unique())


def messages_after(session: Session, scope: str | None, mark: Watermark) -> list[tuple[str, TicketMessage]]:
    """Citizen messages newer than the mark on tickets already shown (new tickets carry their own)."""
    statement = (
        select(Ticket.code, TicketMessage)
        .join(Ticket, TicketMessage.ticket_id == Ticket.id)
        .where(
            TicketMessage.id > mark.message_id,
            TicketMessage.author_kind == "citizen",
            Ticket.id <= mark.ticket_id,
        )
    )
    rows = session.execute(_scoped(statement, scope).order_by(TicketMessage.id).limit(MAX_ITEMS))
    return [(code, message) for code, message in rows]


@dataclass
class ConsoleFeed:
    """Wake-ups for the console's event streams (one per app)."""

    fanout: AbstractFanOut
    publisher: Callable[[Collection[str]], None] | None = None
    poll_seconds: float = 3.0
    loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    def wake(self, topics: Collection[str] = (TOPIC,)) -> None:
        """Publish a wake-up per topic; safe to call from any thread, never raises."""
        try:
            if self.publisher is not None:
                self.publisher(topics)
            elif self.loop is not None and not self.loop.is_closed():
                self.loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._publish(topics)))
        except Exception:
            logger.warning("console wake-up not published", exc_info=True)

    async def _publish(self, topics: Collection[str]) -> None:
        for topic in topics:
            await self.fanout.publish(topic)

    async def close(self) -> None:
        """Stop the fan-out listener."""
        await self.fanout.close()


def build_feed(settings: Settings) -> ConsoleFeed:
    """Redis fan-out when REDIS_URL is set (every replica), else in-process."""
    if not settings.redis_url:
        return ConsoleFeed(InProcessFanOut())
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=2)
    prefix = f"{settings.redis_key_prefix}chat:"
    fanout = RedisFanOut(redis.asyncio.Redis.from_url(settings.redis_url), prefix)

    def publish(topics: Collection[str]) -> None:
        with client.pipeline(transaction=False) as pipe:
            for topic in topics:
                pipe.publish(fanout.channel_prefix + topic, b"1")
            pipe.execute()

    return ConsoleFeed(fanout, publish)


def _topics(session: Session) -> set[str]:
    """The inbox topic if the flush added a ticket or message; the topic of each ticket touched."""
    changed = [*session.new, *session.dirty]
    topics = {TOPIC} if any(isinstance(item, Ticket | TicketMessage) for item in session.new) else set()
    for item in changed:
        if isinstance(item, Ticket) and item.id is not None:
            topics.add(ticket_topic(item.id))
        elif isinstance(item, TicketMessage | AuditEntry | OutboxMessage) and item.ticket_id is not None:
            topics.add(ticket_topic(item.ticket_id))
    return topics


def publish_on_commit(session_factory: sessionmaker[Session], feed: ConsoleFeed) -> None:
    """Wake the consoles after each commit that added or changed tickets, messages or deliveries."""

    def after_flush(session: Session, _context: Any) -> None:
        topics = _topics(session)
        if topics:
            session.info.setdefault(_DIRTY, set()).update(topics)

    def after_commit(session: Session) -> None:
        topics = session.info.pop(_DIRTY, None)
        if topics:
            feed.wake(sorted(topics))

    def after_rollback(session: Session) -> None:
        session.info.pop(_DIRTY, None)

    event.listen(session_factory, "after_flush", after_flush)
    event.listen(session_factory, "after_commit", after_commit)
    event.listen(session_factory, "after_soft_rollback", lambda s, _t: after_rollback(s))
