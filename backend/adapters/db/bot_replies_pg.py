"""PostgreSQL form of the reply step's writes: Rasa's replies as outbox rows and bot turns, the
inbound message settled and the conversation marked answered, in one statement (data-modifying
CTEs; the rows as JSON array parameters, as in the inbound batch). One
round trip instead of four on the way from Rasa's answer to the first send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.adapters.db.driver_sql import fetch_all
from backend.adapters.db.inbound_batch_pg import TURN_COLUMNS, insert_from_json, rows_json

OUTBOX_COLUMNS = (("ticket_id", "integer"), ("channel", "text"), ("channel_user_id", "text"),
                  ("kind", "text"), ("payload", "text"), ("idempotency_key", "text"), ("state", "text"),
                  ("attempts", "integer"), ("next_attempt_at", "timestamptz"),
                  ("created_at", "timestamptz"))  # fmt: skip
WRITE = text(
    "WITH written AS ("
    + insert_from_json("outbox", OUTBOX_COLUMNS, "RETURNING id, idempotency_key", "outbox").text
    + "), turns AS ("
    + insert_from_json("conversation_messages", TURN_COLUMNS, param="turns").text
    + "), settled AS (UPDATE inbound_messages SET state = :state, processed_at = :now, last_error = NULL"
    " WHERE id = :inbound_id)"
    ", answered AS (UPDATE conversations SET rasa_ack_sent = false WHERE id = :conversation_id"
    " RETURNING unreachable)"
    " SELECT answered.unreachable, written.id, written.idempotency_key"
    " FROM answered LEFT JOIN written ON true"
)


def write_replies(
    session: Session, outbox: Sequence[dict[str, Any]], turns: Sequence[dict[str, Any]],
    inbound_id: int, conversation_id: int, state: str, now: datetime,
) -> tuple[dict[str, int], bool]:  # fmt: skip
    """Write the rows; the outbox ids by idempotency key, and whether the citizen is unreachable."""
    params = {"outbox": rows_json(outbox, OUTBOX_COLUMNS), "turns": rows_json(turns, TURN_COLUMNS),
              "state": state, "now": now, "inbound_id": inbound_id,
              "conversation_id": conversation_id}  # fmt: skip
    found = fetch_all(session, WRITE, params)
    return {key: row_id for _, row_id, key in found if key is not None}, bool(found[0][0])
