"""PostgreSQL form of leasing a citizen's whole outbox queue (the reply step): plain statements
prepared once instead of an ORM query built and loaded per reply, and the lease written by one
UPDATE, only when there is something to lease."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.adapters.db.driver_sql import execute, fetch_all
from backend.adapters.db.models import OutboxMessage
from backend.adapters.db.outbox_repository import FAILED, PENDING, SENDING

OPEN = f"('{PENDING}', '{FAILED}', '{SENDING}')"
QUEUE = text(
    "SELECT o.id, o.state, o.attempts, o.channel, o.channel_user_id, o.kind, o.idempotency_key, o.payload,"
    " o.ticket_id, (SELECT count(*) FROM outbox AS e WHERE e.channel = :channel"
    f" AND e.channel_user_id = :user_id AND e.state IN {OPEN}) AS total"
    f" FROM outbox AS o WHERE o.channel = :channel AND o.channel_user_id = :user_id AND o.state IN {OPEN}"
    " ORDER BY o.id FOR UPDATE OF o SKIP LOCKED"
)
LEASE = text(
    f"UPDATE outbox SET state = '{SENDING}', attempts = attempts + 1, next_attempt_at = :until"
    " WHERE id = ANY(CAST(:ids AS integer[]))"
)


def claim_queue(
    session: Session, channel: str, user_id: str, until: datetime
) -> Sequence[OutboxMessage] | None:
    """``SqlDeliveryRepository.claim_queue`` on PostgreSQL; the rows returned are not in the
    session (their lease is already written)."""
    found = fetch_all(session, QUEUE, {"channel": channel, "user_id": user_id})
    if any(row.state != PENDING for row in found) or (found and found[0].total != len(found)):
        return None
    if found:
        execute(session, LEASE, {"until": until, "ids": [row.id for row in found]})
    return [
        OutboxMessage(
            id=row.id,
            channel=row.channel,
            channel_user_id=row.channel_user_id,
            kind=row.kind,
            idempotency_key=row.idempotency_key,
            payload=row.payload,
            ticket_id=row.ticket_id,
            state=SENDING,
            attempts=row.attempts + 1,
            next_attempt_at=until,
        )  # fmt: skip
        for row in found
    ]
