"""Rasa's SQL tracker store as the backend sees it: the URL Rasa connects with (schema ``rasa`` of
the product's PostgreSQL database, or ``var/rasa_tracker.db`` beside a SQLite one) and the
retention clean-up of its ``events`` table (one row per conversation event, ``timestamp`` in epoch
seconds, written by Rasa's SQLTrackerStore)."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from backend.adapters.db.engine import normalise_url

TRACKER_SCHEMA = "rasa"  # created by migration tracker_0001
SQLITE_TRACKER_URL = "sqlite:///var/rasa_tracker.db"
IDLE = "SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :cutoff"


def rasa_tracker_url(database_url: str) -> str:
    """The SQLAlchemy URL for Rasa's SQL tracker store (psycopg2, search_path on schema rasa)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return SQLITE_TRACKER_URL
    query = {**url.query, "options": f"-csearch_path={TRACKER_SCHEMA}"}
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


def prune_conversations(tracker_url: str, retention_days: int, now: float) -> int:
    """Delete the events of conversations idle for more than ``retention_days``; return how many."""
    url = make_url(normalise_url(tracker_url))
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    cutoff = {"cutoff": now - retention_days * 86400}
    try:
        if not inspect(engine).has_table("events"):
            return 0  # Rasa has not started on this store yet
        with engine.begin() as connection:
            idle = len(connection.execute(text(IDLE), cutoff).all())
            connection.execute(text(f"DELETE FROM events WHERE sender_id IN ({IDLE})"), cutoff)
        return idle
    finally:
        engine.dispose()
