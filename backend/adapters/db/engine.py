"""Engine and session factory for PostgreSQL (psycopg 3) and SQLite."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)
T = TypeVar("T")
SessionFactory = Callable[[], Session]  # a sessionmaker, or one bound to another engine


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


IDLE_PING_SECONDS = 1.0  # a pooled connection unused for longer is checked before it is handed out
RECYCLE_SECONDS = 1800  # below common firewall / NAT idle timeouts


def make_engine(
    url: str,
    idle_ping_seconds: float = IDLE_PING_SECONDS,
    pool_size: int = 10,
    max_overflow: int = 20,
    **kwargs: Any,
) -> Engine:
    """Create the engine; SQLite gets its directory, foreign keys and a busy timeout. PostgreSQL
    connections are checked (one round trip) only after they sat idle in the pool."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_use_lifo=True,
        pool_recycle=RECYCLE_SECONDS,
        **kwargs,
    )
    _ping_when_idle(engine, idle_ping_seconds)
    return engine


def make_async_engine(url: str, pool_size: int = 2, max_overflow: int = 3) -> AsyncEngine:
    """A small PostgreSQL engine on psycopg's asyncio driver, for a transaction that must stay
    open across an await of the event loop (a lock held while calling another service)."""
    engine = create_async_engine(
        normalise_url(url), pool_size=pool_size, max_overflow=max_overflow, pool_use_lifo=True,
        pool_recycle=RECYCLE_SECONDS,
    )  # fmt: skip
    _ping_when_idle(engine.sync_engine, IDLE_PING_SECONDS)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling without a round trip per transaction (``pool_pre_ping``
    pings at every checkout): a connection back in the pool for less than ``idle_seconds`` was
    just used, so only one that sat longer is pinged; a dead one is replaced by the pool. A
    server restart takes longer than that, and any statement that meets a dropped connection
    makes SQLAlchemy discard every older connection of the pool."""

    def checked_in(_dbapi: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in_at", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error

    event.listen(engine, "connect", checked_in)  # a new connection needs no ping either
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def retry_if_dropped(step: Callable[[], T]) -> T:
    """Run a one-transaction step, and once more if it met a pooled connection that had been
    dropped (the pool has then discarded its older connections). Only for steps that are safe to
    repeat: nothing is committed when the failure comes before COMMIT, and a repeat after a lost
    COMMIT finds its work done (a fenced update matches nothing, a unique key refuses a copy)."""
    try:
        return step()
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("database connection was dropped; running the step again")
        return step()
