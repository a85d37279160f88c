"""A short per-filter cache of the dashboard's figures (at most a minute old, and labelled so).

The figures are the same for every statistics reader (no contact details, no department scope), so
one entry serves leaders, dispatchers and administrators alike; the access check runs before the
cache is read. Entries are JSON, in Redis when REDIS_URL is set (shared by every replica), in the
process otherwise. DASHBOARD_CACHE_SECONDS=0 turns it off. The CSV export never goes through it.
"""

from __future__ import annotations

import abc
import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from backend.domain.access import STATS_READERS, Principal, require
from backend.services.statistics import Statistics, StatsQuery

KEY_VERSION = "v1"  # bump when the figures change shape
MAX_ENTRIES = 256


class AbstractFiguresCache(abc.ABC):
    """Port: JSON-able figures under a key, for some seconds."""

    @abc.abstractmethod
    def get(self, key: str) -> dict[str, Any] | None:
        """The figures, or None when absent, expired or unreadable."""

    @abc.abstractmethod
    def put(self, key: str, figures: dict[str, Any], seconds: int) -> None:
        """Keep the figures for `seconds` (never raises)."""


class InProcessFiguresCache(AbstractFiguresCache):
    """One process's cache; stores JSON text, so every reader gets its own copy."""

    def __init__(self, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self._clock = clock

    def get(self, key: str) -> dict[str, Any] | None:
        """The figures while fresh."""
        found = self._entries.get(key)
        if found is None or found[0] <= self._clock():
            return None
        return dict(json.loads(found[1]))

    def put(self, key: str, figures: dict[str, Any], seconds: int) -> None:
        """Keep the figures; drop expired entries, then the oldest, beyond the limit."""
        now = self._clock()
        with self._lock:
            self._entries[key] = (now + seconds, json.dumps(figures))
            if len(self._entries) > self._max:
                for stale in [k for k, (until, _) in self._entries.items() if until <= now]:
                    del self._entries[stale]
                while len(self._entries) > self._max:
                    del self._entries[next(iter(self._entries))]


def cache_key(query: StatsQuery) -> str:
    """One key per filter (period, area, category, department, time bucket)."""
    fields = [query.start, query.end, query.unit, query.category, query.department, query.bucket]
    digest = hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()[:32]
    return f"stats:{KEY_VERSION}:{digest}"


class CachedStatistics:
    """`Statistics.compute` behind the cache; every answer carries `as_of` (ISO time computed)."""

    def __init__(self, statistics: Statistics, cache: AbstractFiguresCache | None, seconds: int) -> None:
        self.statistics = statistics
        self.cache = cache if seconds > 0 else None
        self.seconds = seconds

    def compute(self, principal: Principal, query: StatsQuery) -> dict[str, Any]:
        """The figures for the query, at most `seconds` old."""
        require(principal, STATS_READERS, "read statistics")
        if self.cache is None:
            return self._fresh(principal, query)
        key = cache_key(query)
        found = self.cache.get(key)
        if found is not None:
            return found
        figures = self._fresh(principal, query)
        self.cache.put(key, figures, self.seconds)
        return figures

    def refresh(self, principal: Principal, query: StatsQuery) -> dict[str, Any]:
        """Compute the figures now and replace the cached entry (refresh-ahead); needs the cache on."""
        require(principal, STATS_READERS, "read statistics")
        if self.cache is None:
            raise ValueError("refresh needs DASHBOARD_CACHE_SECONDS > 0")
        figures = self._fresh(principal, query)
        self.cache.put(cache_key(query), figures, self.seconds)
        return figures

    def _fresh(self, principal: Principal, query: StatsQuery) -> dict[str, Any]:
        as_of = self.statistics.clock().isoformat()
        return {**self.statistics.compute(principal, query), "as_of": as_of}
