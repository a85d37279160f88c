"""PostgreSQL forms of the inbound batch statements. The rows of an INSERT are one JSON array
parameter, expanded with ``json_array_elements … WITH ORDINALITY`` (rows keep the batch order,
so ids follow arrival order): one ``json.dumps`` per statement instead of one array parameter per
column for the driver to adapt (~0.2 ms of CPU for the inbound row and its turn). The statement
text is the same for any batch size, so the driver parses it once and the server can prepare
it; a multi-row VALUES list of 64 rows costs more to parse than to run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from backend.adapters.db.driver_sql import execute, fetch_all
from backend.adapters.db.gateway_models import InboundRecord

Key = tuple[str, str]  # (channel, channel user id) or (channel, message id)
Found = tuple[int, str | None, datetime, bool]  # id, display name, last message at, unreachable
FIND = text(
    "SELECT c.id, c.channel, c.channel_user_id, c.display_name, c.last_message_at, c.unreachable "
    "FROM conversations AS c "
    "JOIN unnest(CAST(:channels AS text[]), CAST(:users AS text[])) AS k(channel, channel_user_id) "
    "ON c.channel = k.channel AND c.channel_user_id = k.channel_user_id"
)
INBOUND_COLUMNS = (("conversation_id", "integer"), ("channel", "text"), ("channel_user_id", "text"),
                   ("message_id", "text"), ("kind", "text"), ("text", "text"), ("details", "text"),
                   ("state", "text"), ("attempts", "integer"), ("created_at", "timestamptz"))  # fmt: skip
TURN_COLUMNS = (("conversation_id", "integer"), ("direction", "text"), ("author_kind", "text"),
                ("text", "text"), ("buttons", "text"), ("image_url", "text"), ("outbox_key", "text"),
                ("inbound_id", "integer"), ("created_at", "timestamptz"))  # fmt: skip
JSON_COLUMNS = ("details", "buttons", "payload")


def insert_from_json(
    table: str, columns: Sequence[tuple[str, str]], tail: str = "", param: str = "rows"
) -> TextClause:
    """INSERT of the rows given as one JSON array parameter (``param``, see ``rows_json``), in
    array order."""
    names = ", ".join(name for name, _ in columns)
    return text(f"INSERT INTO {table} ({names}) SELECT {fields('r.value', columns)}"
                f" FROM json_array_elements(CAST(:{param} AS json)) WITH ORDINALITY AS r(value, ord)"
                f" ORDER BY r.ord {tail}")  # fmt: skip


def fields(source: str, columns: Sequence[tuple[str, str]]) -> str:
    """The columns read from a JSON object ``source``, each cast to its type (JSON columns as they are)."""
    return ", ".join(
        f"{source}->'{name}'" if name in JSON_COLUMNS else f"CAST({source}->>'{name}' AS {kind})"
        for name, kind in columns
    )


CONVERSATION_COLUMNS = (("channel", "text"), ("channel_user_id", "text"), ("display_name", "text"),
                        ("unreachable", "boolean"), ("rasa_ack_sent", "boolean"),
                        ("last_message_at", "timestamptz"), ("created_at", "timestamptz"))  # fmt: skip
CREATE = insert_from_json(
    "conversations",
    CONVERSATION_COLUMNS,
    "ON CONFLICT (channel, channel_user_id) DO NOTHING"
    " RETURNING id, channel, channel_user_id, display_name, last_message_at, unreachable",
)
ON_CONFLICT = "ON CONFLICT (channel, message_id) DO NOTHING RETURNING id, channel, message_id"
INSERT_INBOUND = insert_from_json("inbound_messages", INBOUND_COLUMNS, ON_CONFLICT)
KEYED_TURN_COLUMNS = (*((n, k) for n, k in TURN_COLUMNS if n != "inbound_id"), ("channel", "text"),
                      ("message_id", "text"))  # fmt: skip
_TURN_VALUES = ", ".join("ins.id" if name == "inbound_id" else fields("t.value", [(name, kind)])
                         for name, kind in TURN_COLUMNS)  # fmt: skip
INSERT_INBOUND_AND_TURNS = text(
    f"WITH ins AS ({INSERT_INBOUND.text}), turns AS (INSERT INTO conversation_messages"
    f" ({', '.join(name for name, _ in TURN_COLUMNS)}) SELECT {_TURN_VALUES}"
    " FROM json_array_elements(CAST(:turns AS json)) WITH ORDINALITY AS t(value, ord)"
    " JOIN ins ON ins.channel = t.value->>'channel' AND ins.message_id = t.value->>'message_id'"
    " ORDER BY t.ord) SELECT id, channel, message_id FROM ins"
)
_LEASE = (
    "WITH taken AS (UPDATE conversations SET lease_owner = :owner, lease_until = :until"
    " WHERE id = ANY(CAST(:ids AS integer[])) AND (lease_until IS NULL OR lease_until < :now){} RETURNING id)"
    " SELECT taken.id AS leased, i.*, EXISTS (SELECT 1 FROM conversation_handoffs AS h"
    " WHERE h.channel = i.channel AND h.channel_user_id = i.channel_user_id AND h.active) AS handed_off"
    " FROM taken LEFT JOIN LATERAL (SELECT * FROM inbound_messages AS m WHERE m.conversation_id = taken.id"
    " AND m.state = 'pending' ORDER BY m.id LIMIT 1) AS i ON true"
)
LEASE = text(_LEASE.format(""))
# a drain's attempt outside a batch: the lease only where a message waits, so the statement alone
# is atomic (run in autocommit): no lease taken and given back, no row locked for nothing
LEASE_IF_PENDING = text(_LEASE.format(
    " AND EXISTS (SELECT 1 FROM inbound_messages AS p WHERE p.conversation_id = conversations.id"
    " AND p.state = 'pending')"
))  # fmt: skip
INBOUND_FIELDS = tuple(column.key for column in InboundRecord.__table__.columns)
TOUCH = text("UPDATE conversations SET last_message_at = :now WHERE id = ANY(CAST(:ids AS integer[]))")
TOUCH_REACHABLE = text(
    "UPDATE conversations SET last_message_at = :now, unreachable = false, unreachable_reason = NULL "
    "WHERE id = ANY(CAST(:ids AS integer[]))"
)


def find(session: Session, keys: Iterable[Key]) -> dict[Key, Found]:
    """The conversations of these (channel, user id) pairs."""
    keys = list(keys)
    params = {"channels": [k[0] for k in keys], "users": [k[1] for k in keys]}
    return {(row.channel, row.channel_user_id): found(row) for row in fetch_all(session, FIND, params)}


def create(session: Session, rows: Sequence[dict[str, Any]]) -> dict[Key, Found]:
    """Create these conversations; those created now (one another batch created meanwhile is
    left out: the caller looks it up)."""
    created = fetch_all(session, CREATE, {"rows": rows_json(rows, CONVERSATION_COLUMNS)})
    return {(row.channel, row.channel_user_id): found(row) for row in created}


def found(row: Any) -> Found:
    """What a batch keeps of a conversation row."""
    return row.id, row.display_name, row.last_message_at, row.unreachable


def insert_inbound(
    session: Session, rows: Sequence[dict[str, Any]], turns: Sequence[dict[str, Any]]
) -> dict[Key, int]:
    """Insert inbound rows, and the thread turn of each one stored now (turns carry the row's
    channel and message id instead of its id), in one statement; the ids of the rows stored now."""
    params = {"rows": rows_json(rows, INBOUND_COLUMNS), "turns": rows_json(turns, KEYED_TURN_COLUMNS)}
    found = fetch_all(session, INSERT_INBOUND_AND_TURNS, params)
    return {(channel, message_id): row_id for row_id, channel, message_id in found}


def lease(
    session: Session,
    ids: Sequence[int],
    owner: str,
    until: datetime,
    now: datetime,
    pending_only: bool = False,
) -> tuple[list[int], dict[int, tuple[InboundRecord, bool]]]:
    """Take the lease on each of these conversations that no live process holds (``pending_only``:
    and where a message is pending), and read each one's oldest pending message with its
    hand-off state, in one statement."""
    statement = LEASE_IF_PENDING if pending_only else LEASE
    rows = fetch_all(session, statement, {"ids": list(ids), "owner": owner, "until": until, "now": now})
    taken, found = [], {}
    for row in rows:
        taken.append(row.leased)
        if row.id is not None:
            record = InboundRecord(**{name: getattr(row, name) for name in INBOUND_FIELDS})
            found[row.leased] = (record, bool(row.handed_off))
    return taken, found


def touch(session: Session, ids: Sequence[int], reachable: Sequence[int], now: Any) -> None:
    """Note the latest message; the reachable ones are reachable again."""
    if ids:
        execute(session, TOUCH, {"now": now, "ids": list(ids)})
    if reachable:
        execute(session, TOUCH_REACHABLE, {"now": now, "ids": list(reachable)})


def rows_json(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """The parameter of ``insert_from_json``: the rows' values of these columns as a JSON array."""
    return json.dumps([{name: row.get(name) for name, _ in columns} for row in rows],
                      ensure_ascii=False, default=_json_value)  # fmt: skip


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
