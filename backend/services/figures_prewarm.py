"""Refresh-ahead of the dashboard's default views, so the views people open never pay the cold path.

Every DASHBOARD_PREWARM_SECONDS one refresher recomputes the figures of the page's default filter
(the last DEFAULT_DAYS days by day) for the whole province and for each area of the area filter,
and writes them into the cache the page reads (`CachedStatistics.refresh`), before the entries
written the round before expire (DASHBOARD_CACHE_SECONDS, always longer). Only the holder of a
lease refreshes: with Redis one lease for every process sharing the cache, otherwise one per
process. The figures are computed as a leader (the least-privileged statistics reader); they hold
counts and rates only, no contact details and no department scope, like every cached entry.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.models import Unit
from backend.domain.access import Principal, Role
from backend.domain.sla import LOCAL_TZ
from backend.services.figures_cache import CachedStatistics
from backend.services.statistics import StatsQuery

logger = logging.getLogger(__name__)
DEFAULT_DAYS = 60  # the dashboard opens on the last 60 days, by day
REFRESHER = Principal(0, "dashboard-prewarm", "Làm mới số liệu", Role.LEADER, None)


def default_query(today: date, unit: str | None = None) -> StatsQuery:
    """The filter /console/dashboard opens with (optionally narrowed to one area)."""
    return StatsQuery(today - timedelta(days=DEFAULT_DAYS - 1), today, unit)


class AbstractLease(abc.ABC):
    """Port: who may refresh now. A holder keeps the lease by taking it again before it ends."""

    @abc.abstractmethod
    def hold(self, holder: str, seconds: float) -> bool:
        """Take or renew the lease for `holder` for `seconds`; False while another holds it."""


class InProcessLease(AbstractLease):
    """A lease among the refreshers of one process (the in-process cache is per process too)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._holder: str | None = None
        self._until = 0.0
        self._clock = clock

    def hold(self, holder: str, seconds: float) -> bool:
        """Held when free, expired or already the holder's."""
        with self._lock:
            now = self._clock()
            if self._holder not in (None, holder) and self._until > now:
                return False
            self._holder, self._until = holder, now + seconds
            return True


class DashboardPrewarmer:
    """Recomputes the default views into the cache, one round at a time, while it holds the lease."""

    def __init__(
        self,
        cached: CachedStatistics,
        lease: AbstractLease,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        period: int,
    ) -> None:
        self.cached = cached
        self.lease = lease
        self.session_factory = session_factory
        self.clock = clock
        self.period = period
        self.holder = uuid.uuid4().hex

    def views(self) -> list[StatsQuery]:
        """The default filter for the province, then for each area the area filter offers."""
        today = self.clock().astimezone(LOCAL_TZ).date()
        with self.session_factory() as session:
            units = session.scalars(select(Unit.code).order_by(Unit.town_code, Unit.name)).all()
        return [default_query(today), *(default_query(today, unit) for unit in units)]

    def refresh_once(self) -> int | None:
        """Recompute every default view; the number written, or None when another refresher holds
        the lease. The lease lasts two periods, so a refresher that stops is replaced soon after."""
        if not self.lease.hold(self.holder, 2 * self.period):
            return None
        views = self.views()
        for query in views:
            self.cached.refresh(REFRESHER, query)
        return len(views)

    async def run(self, stop: asyncio.Event) -> None:
        """Refresh every period until `stop` is set (the database work runs in a thread)."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                await asyncio.to_thread(self.refresh_once)
            except Exception:
                logger.exception("dashboard refresh-ahead failed")
            wait = max(0.0, self.period - (time.monotonic() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)


@asynccontextmanager
async def refreshing(prewarmer: DashboardPrewarmer | None) -> AsyncIterator[None]:
    """Refresh ahead in the background for the duration of the block (nothing when None)."""
    if prewarmer is None:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(prewarmer.run(stop), name="dashboard-prewarm")
    try:
        yield
    finally:
        stop.set()
        await task
