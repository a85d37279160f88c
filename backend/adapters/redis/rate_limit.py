"""Per-sender rate limits over a fixed window, a minute unless told otherwise (Redis, or in-process)."""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Sequence

from redis import Redis

WINDOW_SECONDS = 60
KEY_PREFIX = "ioc:rate:"


class AbstractRateLimiter(abc.ABC):
    """Port: count one message of a sender in the current window (``per_minute`` per window)."""

    def __init__(self, per_minute: int, window_seconds: int = WINDOW_SECONDS) -> None:
        self.per_minute = per_minute
        self.window_seconds = window_seconds

    @abc.abstractmethod
    def hit(self, sender: str) -> int:
        """Count a message and return how many the sender sent in this window (this one included)."""

    @abc.abstractmethod
    def count(self, sender: str) -> int:
        """How many the sender sent in this window, without counting anything."""

    def exhausted(self, sender: str) -> bool:
        """True once the sender has used up this window's allowance."""
        return self.count(sender) >= self.per_minute

    def window(self) -> int:
        """The number of the current window."""
        return int(time.time() // self.window_seconds)

    def hit_many(self, senders: Sequence[str]) -> list[int]:
        """Count one message of each sender, in order (a sender may appear several times)."""
        return [self.hit(sender) for sender in senders]

    def verdict(self, sender: str) -> str:
        """``ok``; ``limited`` (over the limit); ``limited_first`` (first one over: tell them)."""
        return self._judge(self.hit(sender))

    def verdicts(self, senders: Sequence[str]) -> list[str]:
        """The verdict of each message of a batch, counted in order."""
        return [self._judge(count) for count in self.hit_many(senders)]

    def _judge(self, count: int) -> str:
        if count <= self.per_minute:
            return "ok"
        return "limited_first" if count == self.per_minute + 1 else "limited"


class InProcessRateLimiter(AbstractRateLimiter):
    """Counts in this process only (``make run`` without Redis)."""

    def __init__(self, per_minute: int, window_seconds: int = WINDOW_SECONDS) -> None:
        super().__init__(per_minute, window_seconds)
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, sender: str) -> int:
        """Count in a dict keyed by (sender, window)."""
        window = self.window()
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
            count = self._counts.get((sender, window), 0) + 1
            self._counts[(sender, window)] = count
            return count

    def count(self, sender: str) -> int:
        """The sender's count in the current window."""
        with self._lock:
            return self._counts.get((sender, self.window()), 0)


class RedisRateLimiter(AbstractRateLimiter):
    """INCR + EXPIRE on a key per (sender, window): shared by every gateway replica."""

    def __init__(
        self,
        redis: Redis,
        per_minute: int,
        key_prefix: str = KEY_PREFIX,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        super().__init__(per_minute, window_seconds)
        self._redis = redis
        self._prefix = key_prefix

    def hit(self, sender: str) -> int:
        """Increment the sender's counter of the current window."""
        return self.hit_many([sender])[0]

    def hit_many(self, senders: Sequence[str]) -> list[int]:
        """INCR + EXPIRE for every message of a batch in one round trip."""
        window = self.window()
        pipe = self._redis.pipeline(transaction=False)
        for sender in senders:
            key = f"{self._prefix}{sender}:{window}"
            pipe.incr(key)
            pipe.expire(key, self.window_seconds * 2)
        return [int(count) for count in pipe.execute()[::2]]

    def count(self, sender: str) -> int:
        """GET of the sender's counter of the current window."""
        value = self._redis.get(f"{self._prefix}{sender}:{self.window()}")
        return int(value) if isinstance(value, bytes | str | int) else 0
