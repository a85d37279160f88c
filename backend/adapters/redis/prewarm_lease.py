"""The dashboard refresher's lease in Redis: one refresher among every process sharing the cache."""

from __future__ import annotations

import logging
from typing import Any

import redis

from backend.services.figures_prewarm import AbstractLease

logger = logging.getLogger(__name__)

# Renew when ours, take when free (SET NX), in one step so two contenders never both win.
HOLD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""


class RedisLease(AbstractLease):
    """`<key>` holds the holder's token, with an expiry; an unreachable Redis means not held."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self._key = key
        self._hold: Any = client.register_script(HOLD)

    def hold(self, holder: str, seconds: float) -> bool:
        """Take or renew the lease (Lua, atomic)."""
        try:
            return bool(self._hold(keys=[self._key], args=[holder, max(1, int(seconds * 1000))]))
        except redis.RedisError:
            logger.warning("dashboard refresh lease unreachable; not refreshing", exc_info=True)
            return False
