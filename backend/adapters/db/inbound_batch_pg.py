"""PostgreSQL forms of the inbound batch statements. The rows of an INSERT are one JSON array
parameter, expanded with ``json_array_elements … WITH ORDINALITY`` (rows keep the batch order,
so ids follow arrival order): one ``json.dumps`` per statement instead of one array parameter per
column for the driver to adapt (~0.2 ms of CPU for the inbound row and its turn). The statement
text is the same for any batch size, so the driver parses it once and the server can prepare
it; a multi-row VALUES list of 64 rows costs more to parse than to run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
LEASE = text(
    "WITH taken AS (UPDATE conversations SET lease_owner = :owner, lease_until = :until"
    " WHERE id = ANY(CAST(:ids AS integer[])) AND (lease_until IS NULL OR lease_until < :now) RETURNING id)"
    " SELECT taken.id AS leased, i.*, EXISTS (SELECT 1 FROM conversation_handoffs AS h"
    " WHERE h.channel = i.channel AND h.channel_user_id = i.channel_user_id AND h.active) AS handed_off"
    " FROM taken LEFT JOIN LATERAL (SELECT * FROM inbound_messages AS m WHERE m.conversation_id = taken.id"
    " AND m.state = 'pending' ORDER BY m.id LIMIT 1) AS i ON true"
)
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
    session: Session, ids: Sequence[int], owner: str, until: datetime, now: datetime
) -> tuple[list[int], dict[int, tuple[InboundRecord, bool]]]:
    """Take the lease on each of these conversations that no live process holds, and read each
    one's oldest pending message with its hand-off state, in one statement."""
    rows = fetch_all(session, LEASE, {"ids": list(ids), "owner": owner, "until": until, "now": now})
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


# The common case as one statement, run in autocommit: messages of citizens whose conversations
# all exist (otherwise it does nothing and says so). Conversations read, inbound rows inserted in
# arrival order (de-duplicated by (channel, message id)) with their turns (a pressed button's turn
# reads as its title, from the buttons last offered), then ONE update of each conversation row
# (a row may be updated once per statement): new display name, latest message (to the minute),
# reachable again, and the forwarder's lease when no live process holds it (tested on the row as
# it is when locked, as LEASE does). The oldest pending message of a leased conversation is the
# lesser of the table's (the statement's snapshot, which cannot see its own inserts) and the
# inserted ones.
_ROW_COLUMNS = tuple(column for column in INBOUND_COLUMNS if column[0] != "conversation_id")
_TITLE = (
    "(SELECT b.value->>'title' FROM (SELECT o.id, o.buttons FROM conversation_messages AS o"
    " WHERE o.conversation_id = ins.conversation_id AND o.direction = 'out'"
    " ORDER BY o.id DESC LIMIT 20) AS o,"
    " json_array_elements(CASE WHEN json_typeof(o.buttons) = 'array' THEN o.buttons ELSE '[]' END)"
    " WITH ORDINALITY AS b(value, ord) WHERE b.value->>'payload' = t.value->>'payload'"
    " ORDER BY o.id DESC, b.ord LIMIT 1)"
)
_KNOWN_TURN_VALUES = {
    "conversation_id": "ins.conversation_id",
    "inbound_id": "ins.id",
    "text": f"CASE WHEN t.value->>'payload' IS NULL THEN t.value->>'text'"
    f" ELSE coalesce({_TITLE}, t.value->>'text') END",
}
_KNOWN_TURNS = (*KEYED_TURN_COLUMNS, ("payload", "text"))  # payload: of a pressed button
_FREE = "(c.lease_until IS NULL OR c.lease_until < :now)"
_TAKE = f"v.fresh AND {_FREE}"
STORE_KNOWN = text(
    "WITH k AS (SELECT k.value->>'channel' AS channel, k.value->>'user' AS channel_user_id,"
    " k.value->>'name' AS name FROM json_array_elements(CAST(:keys AS json)) AS k(value))"
    ", conv AS (SELECT c.id, c.channel, c.channel_user_id, c.display_name, c.last_message_at, c.unreachable,"
    " k.name FROM conversations AS c"
    " JOIN k ON c.channel = k.channel AND c.channel_user_id = k.channel_user_id)"
    ", ok AS (SELECT (SELECT count(*) FROM conv) = (SELECT count(*) FROM k) AS known,"
    " (SELECT json_agg(json_build_array(channel, channel_user_id, id)) FROM conv) AS conversations)"
    f", ins AS (INSERT INTO inbound_messages (conversation_id, {', '.join(n for n, _ in _ROW_COLUMNS)})"
    f" SELECT conv.id, {fields('r.value', _ROW_COLUMNS)}"
    " FROM json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS r(value, ord)"
    " JOIN conv ON conv.channel = r.value->>'channel' AND conv.channel_user_id = r.value->>'channel_user_id'"
    " WHERE (SELECT known FROM ok) ORDER BY r.ord"
    " ON CONFLICT (channel, message_id) DO NOTHING RETURNING *)"
    f", turns AS (INSERT INTO conversation_messages ({', '.join(n for n, _ in TURN_COLUMNS)})"
    " SELECT "
    + ", ".join(_KNOWN_TURN_VALUES.get(n) or fields("t.value", [(n, k)]) for n, k in TURN_COLUMNS)
    + " FROM json_array_elements(CAST(:turns AS json)) WITH ORDINALITY AS t(value, ord)"
    " JOIN ins ON ins.channel = t.value->>'channel' AND ins.message_id = t.value->>'message_id'"
    " ORDER BY t.ord)"
    ", v AS (SELECT conv.id, conv.name,"
    " coalesce(conv.name, '') <> '' AND conv.name IS DISTINCT FROM conv.display_name AS rename,"
    " EXISTS (SELECT 1 FROM ins WHERE ins.conversation_id = conv.id) AS fresh,"
    " conv.unreachable AND EXISTS (SELECT 1 FROM ins WHERE ins.conversation_id = conv.id"
    " AND ins.kind <> 'unfollow') AS reach, coalesce(conv.last_message_at < :stale, true) AS stale"
    " FROM conv WHERE (SELECT known FROM ok))"
    ", upd AS (UPDATE conversations AS c SET"
    " display_name = CASE WHEN v.rename THEN v.name ELSE c.display_name END,"
    " last_message_at = CASE WHEN v.reach OR (v.fresh AND v.stale) THEN :now ELSE c.last_message_at END,"
    " unreachable = CASE WHEN v.reach THEN false ELSE c.unreachable END,"
    " unreachable_reason = CASE WHEN v.reach THEN NULL ELSE c.unreachable_reason END,"
    f" lease_owner = CASE WHEN {_TAKE} THEN :owner ELSE c.lease_owner END,"
    f" lease_until = CASE WHEN {_TAKE} THEN :until ELSE c.lease_until END"
    f" FROM v WHERE c.id = v.id AND (v.rename OR v.reach OR (v.fresh AND (v.stale OR {_FREE})))"
    " RETURNING c.id, c.lease_owner = :owner AS leased)"
    ", nxt AS (SELECT u.id AS leased, p.*, EXISTS (SELECT 1 FROM conversation_handoffs AS h"
    " WHERE h.channel = p.channel AND h.channel_user_id = p.channel_user_id AND h.active) AS handed_off"
    " FROM upd AS u CROSS JOIN LATERAL (SELECT * FROM (SELECT * FROM inbound_messages AS m"
    " WHERE m.conversation_id = u.id AND m.state = 'pending' ORDER BY m.id LIMIT 1) AS a"
    " UNION ALL SELECT * FROM ins WHERE ins.conversation_id = u.id ORDER BY id LIMIT 1) AS p WHERE u.leased)"
    " SELECT o.known, o.conversations, s.id AS stored_id, s.channel AS stored_channel,"
    " s.message_id AS stored_message_id, n.* FROM ok AS o"
    " LEFT JOIN (SELECT id, channel, message_id, conversation_id,"
    " row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS rn FROM ins) AS s ON true"
    " LEFT JOIN nxt AS n ON n.leased = s.conversation_id AND s.rn = 1"
    " ORDER BY s.id"
)


@dataclass(frozen=True)
class StoredKnown:
    """What STORE_KNOWN did: each citizen's conversation id, the ids of the rows stored now (by
    (channel, message id)), the conversations leased and the message each one handles first."""

    conversations: dict[Key, int]
    stored: dict[Key, int]
    taken: list[int]
    found: dict[int, tuple[InboundRecord, bool]]


def store_known(
    session: Session, names: Mapping[Key, str | None], rows: Sequence[dict[str, Any]],
    turns: Sequence[dict[str, Any]], owner: str, until: datetime, now: datetime, stale: datetime,
) -> StoredKnown | None:  # fmt: skip
    """Run STORE_KNOWN (rows without a conversation id; turns keyed by channel and message id,
    with the pressed button's ``payload``); None when a citizen has no conversation yet (then
    nothing was written)."""
    keys = json.dumps(
        [{"channel": c, "user": u, "name": n} for (c, u), n in names.items()], ensure_ascii=False
    )
    params = {"keys": keys, "rows": rows_json(rows, _ROW_COLUMNS), "turns": rows_json(turns, _KNOWN_TURNS),
              "owner": owner, "until": until, "now": now, "stale": stale}  # fmt: skip
    result = fetch_all(session, STORE_KNOWN, params)
    if not result[0].known:
        return None
    conversations = {(c, u): cid for c, u, cid in result[0].conversations}
    stored, taken, found = {}, [], {}
    for row in result:
        if row.stored_id is not None:
            stored[(row.stored_channel, row.stored_message_id)] = row.stored_id
        if row.leased is not None:
            taken.append(row.leased)
            record = InboundRecord(**{name: getattr(row, name) for name in INBOUND_FIELDS})
            found[row.leased] = (record, bool(row.handed_off))
    return StoredKnown(conversations, stored, taken, found)
