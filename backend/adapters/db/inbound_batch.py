"""Store a batch of inbound messages with a few set-based statements (group commit of the
webhooks): conversations looked up (created when missing) at once, inbound rows inserted with
``ON CONFLICT (channel, message_id) DO NOTHING`` with the thread turns of those stored now
(on PostgreSQL in the same statement)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Table, bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.adapters.db import inbound_batch_pg as pg
from backend.adapters.db.gateway_models import Conversation, ConversationMessage, InboundRecord
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.db.inbound_batch_pg import Key

TOUCH_EVERY = timedelta(minutes=1)
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
INBOUND: Table = InboundRecord.__table__  # type: ignore[assignment]
TURNS: Table = ConversationMessage.__table__  # type: ignore[assignment]


class SqlInboundBatch:
    """Set-based writes of the inbound path, inside the caller's session (PostgreSQL or SQLite)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self._last: dict[int, datetime] = {}  # conversation → last_message_at as read
        self._unreachable: dict[int, bool] = {}

    def conversations(self, names: Mapping[Key, str | None], now: datetime) -> dict[Key, int]:
        """The conversation id of each (channel, user id), created on first contact; a known
        display name replaces the stored one."""
        found = self._find(names)
        missing = [key for key in names if key not in found]
        if missing:
            rows = [{"channel": c, "channel_user_id": u, "display_name": names[(c, u)], "unreachable": False,
                     "rasa_ack_sent": False, "last_message_at": now, "created_at": now}
                    for c, u in missing]  # fmt: skip
            found.update(self._create(rows))
            if len(found) < len(names):  # another batch created some meanwhile
                found.update(self._find([key for key in missing if key not in found]))
        renamed = [{"b_id": found[key][0], "b_name": name} for key, name in names.items()
                   if name and found[key][1] != name]  # fmt: skip
        if renamed:
            statement = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("b_id"))
            self.session.execute(statement.values(display_name=bindparam("b_name")), renamed)
        for conversation_id, _, last, unreachable in found.values():
            self._last[conversation_id], self._unreachable[conversation_id] = _aware(last), unreachable
        return {key: value[0] for key, value in found.items()}

    def insert_inbound(
        self, rows: Sequence[dict[str, Any]], turns: Mapping[Key, dict[str, Any]]
    ) -> dict[Key, int]:
        """Insert inbound rows and the thread turn of each one stored now (``turns`` by
        (channel, message id), without ``inbound_id``); the ids of the rows stored now, by
        (channel, message id) (a message already stored is left out)."""
        if self.dialect == "postgresql":
            keyed = [{**turn, "channel": key[0], "message_id": key[1]} for key, turn in turns.items()]
            return pg.insert_inbound(self.session, rows, keyed)
        columns = INBOUND.c
        statement = self._insert(INBOUND, ("channel", "message_id")).returning(
            columns.id, columns.channel, columns.message_id
        )
        result = self.session.execute(statement, list(rows))
        stored = {(channel, message_id): row_id for row_id, channel, message_id in result}
        ordered = sorted((row_id, key) for key, row_id in stored.items() if key in turns)
        if ordered:
            self.session.execute(
                TURNS.insert(), [{**turns[key], "inbound_id": row_id} for row_id, key in ordered]
            )
        return stored

    def touch(self, conversation_ids: Iterable[int], reachable_again: Iterable[int], now: datetime) -> None:
        """Note the latest message (to the minute: a busy citizen's row is not rewritten, and
        concurrent batches do not queue on its lock); a citizen who writes is reachable again."""
        reachable = {cid for cid in reachable_again if self._unreachable.get(cid, True)}
        stale = now - TOUCH_EVERY
        touched = {cid for cid in conversation_ids if self._last.get(cid) is None or self._last[cid] < stale}
        touched -= reachable
        if self.dialect == "postgresql":
            pg.touch(self.session, sorted(touched), sorted(reachable), now)
            return
        statement = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("b_id"))
        rows = [{"b_id": cid} for cid in touched]
        if rows:
            self.session.execute(statement.values(last_message_at=now), rows)
        rows = [{"b_id": cid} for cid in reachable]
        if rows:
            values = {"last_message_at": now, "unreachable": False, "unreachable_reason": None}
            self.session.execute(statement.values(**values), rows)

    def lease(
        self, conversation_ids: Sequence[int], owner: str, until: datetime, now: datetime
    ) -> tuple[list[int], dict[int, tuple[InboundRecord, bool]]]:
        """Take the forwarder's lease on each of these conversations that no live process holds;
        the ids taken, and the oldest pending message of each (with its hand-off state)."""
        if self.dialect == "postgresql":
            return pg.lease(self.session, conversation_ids, owner, until, now)
        repo = SqlConversationRepository(self.session)
        taken = repo.acquire_many(conversation_ids, owner, until, now)
        return taken, repo.next_pending_of_each(taken) if taken else {}

    def _create(self, rows: list[dict[str, Any]]) -> dict[Key, pg.Found]:
        """Create missing conversations; those created now (on PostgreSQL in one statement)."""
        if self.dialect == "postgresql":
            return pg.create(self.session, rows)
        self.session.execute(self._insert(CONVERSATIONS, ("channel", "channel_user_id")), rows)
        return self._find([(row["channel"], row["channel_user_id"]) for row in rows])

    def _find(self, keys: Iterable[Key]) -> dict[Key, pg.Found]:
        if self.dialect == "postgresql":
            return pg.find(self.session, keys)
        columns = CONVERSATIONS.c
        statement = select(
            columns.id,
            columns.channel,
            columns.channel_user_id,
            columns.display_name,
            columns.last_message_at,
            columns.unreachable,
        ).where(  # fmt: skip
            tuple_(columns.channel, columns.channel_user_id).in_(list(keys))
        )
        return {(row.channel, row.channel_user_id): pg.found(row) for row in self.session.execute(statement)}

    def _insert(self, table: Table, unique: tuple[str, ...]) -> Insert:
        """INSERT … ON CONFLICT (unique) DO NOTHING in the session's dialect."""
        if self.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(unique))
        if self.dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(unique))
        raise NotImplementedError(f"no INSERT … ON CONFLICT for {self.dialect}")


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their (UTC) zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
