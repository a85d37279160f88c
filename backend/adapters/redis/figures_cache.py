"""The dashboard's figures cache in Redis (every replica shares it); failures are cache misses."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from backend.services.figures_cache import AbstractFiguresCache

logger = logging.getLogger(__name__)


class RedisFiguresCache(AbstractFiguresCache):
    """JSON under `<prefix><key>` with an expiry."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def get(self, key: str) -> dict[str, Any] | None:
        """The figures, or None (also when Redis is unreachable)."""
        try:
            raw: Any = self._client.get(self._prefix + key)
        except redis.RedisError:
            logger.warning("dashboard cache unreadable; computing the figures", exc_info=True)
            return None
        return dict(json.loads(raw)) if raw else None

    def put(self, key: str, figures: dict[str, Any], seconds: int) -> None:
        """Keep the figures for `seconds`."""
        try:
            self._client.set(self._prefix + key, json.dumps(figures), ex=seconds)
        except redis.RedisError:
            logger.warning("dashboard cache not written", exc_info=True)
