"""Zalo OA tokens in the shared PostgreSQL database, for replicas on several hosts.

Zalo's refresh token is single-use: when two replicas refresh with the same one, Zalo refuses
the second and the OA is locked out until someone authorises it again. A refresh therefore runs
in one transaction that holds the row's lock (SELECT … FOR UPDATE) from reading the refresh
token, through the OAuth call, to storing its successor; a replica that waited for the lock
reads that successor, sees its stale access token already replaced and uses the new one.

Each replica keeps the pair it last read or wrote, so a send costs no database round trip. A
replica whose copy another one has replaced finds out when Zalo refuses the old access token
(or when it expires): the refresh that follows re-reads the row under the lock and uses the
successor without calling Zalo.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import Select, String, Text, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from backend.adapters.db.base import Base, utcnow
from channels import AbstractTokenStore, TokenPair, TokenSlot

PairQuery = Select[tuple[str, str, datetime | None]]
LOCK_TIMEOUT = "30s"  # a waiting replica gives up (the send is retried) if a refresh hangs longer


class ZaloTokenRow(Base):
    """The current token pair of one Zalo app (OA)."""

    __tablename__ = "zalo_tokens"
    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostgresTokenStore(AbstractTokenStore):
    """The pair in table ``zalo_tokens``; an empty row is seeded with ``seed`` on first use."""

    def __init__(self, engine: AsyncEngine, app_id: str, seed: TokenPair) -> None:
        super().__init__()
        self._engine = engine
        self._app_id = app_id
        self._seed = seed
        self._known: TokenPair | None = None

    async def get(self) -> TokenPair:
        """The pair this replica last read or wrote; read (and seeded if missing) the first time."""
        if self._known is None:
            async with self._engine.begin() as connection:
                self._known = await self._row(connection, self._query())
        return self._known

    async def save(self, pair: TokenPair) -> None:
        """Store ``pair`` in a transaction of its own."""
        async with self._engine.begin() as connection:
            values = _values(pair)
            upsert = insert(ZaloTokenRow).values(app_id=self._app_id, **values)
            await connection.execute(upsert.on_conflict_do_update(index_elements=["app_id"], set_=values))
        self._known = pair

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[TokenSlot]:
        """Lock the row (other callers here wait in-process, other hosts in PostgreSQL) and yield
        it as read under the lock; what is saved through it commits when the lock is released."""
        async with self._refresh_lock:
            async with self._engine.begin() as connection:
                await connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                pair = await self._row(connection, self._query().with_for_update())
                locked = _LockedRow(connection, self._app_id, pair)
                yield locked
            self._known = await locked.get()  # committed

    def _query(self) -> PairQuery:
        columns = (ZaloTokenRow.access_token, ZaloTokenRow.refresh_token, ZaloTokenRow.expires_at)
        return select(*columns).where(ZaloTokenRow.app_id == self._app_id)

    async def _row(self, connection: AsyncConnection, query: PairQuery) -> TokenPair:
        row = (await connection.execute(query)).one_or_none()
        if row is None:
            seed = insert(ZaloTokenRow).values(app_id=self._app_id, **_values(self._seed))
            await connection.execute(seed.on_conflict_do_nothing(index_elements=["app_id"]))
            row = (await connection.execute(query)).one()
        return TokenPair(row.access_token, row.refresh_token, row.expires_at)


class _LockedRow:
    """The row while its lock is held: replaced in the transaction that holds the lock."""

    def __init__(self, connection: AsyncConnection, app_id: str, pair: TokenPair) -> None:
        self._connection = connection
        self._app_id = app_id
        self._pair = pair

    async def get(self) -> TokenPair:
        """The pair read under the lock."""
        return self._pair

    async def save(self, pair: TokenPair) -> None:
        """Replace the pair (committed with the lock's transaction)."""
        where = ZaloTokenRow.app_id == self._app_id
        await self._connection.execute(update(ZaloTokenRow).where(where).values(**_values(pair)))
        self._pair = pair


def _values(pair: TokenPair) -> dict[str, object]:
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "expires_at": pair.expires_at, "updated_at": utcnow()}  # fmt: skip
