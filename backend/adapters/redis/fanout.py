"""Wake-ups for web chat sessions when their thread has something new.

The database is the source of truth (the thread); a wake-up only tells a WebSocket to read it.
Redis pub/sub reaches sessions on every gateway replica and from the worker process; without
Redis the in-process hub covers one process and the WebSocket also re-reads on a short timer.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

from redis.asyncio import Redis

logger = logging.getLogger(__name__)
CHANNEL_PREFIX = "ioc:chat:"
SUBSCRIBE_TIMEOUT = 5.0  # seconds subscribe() waits for Redis to confirm the listener's subscription


class AbstractFanOut(abc.ABC):
    """Port: publish a wake-up for a topic; subscribe to get an event set on each wake-up."""

    @abc.abstractmethod
    async def publish(self, topic: str) -> None:
        """Wake every subscriber of ``topic`` (on every replica)."""

    @abc.abstractmethod
    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[asyncio.Event]:
        """Yield an event that is set whenever ``topic`` is published."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""


class InProcessFanOut(AbstractFanOut):
    """Wake-ups inside one process (``make run`` without Redis)."""

    def __init__(self) -> None:
        self._events: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    async def publish(self, topic: str) -> None:
        """Set every subscriber's event."""
        for event in list(self._events.get(topic, ())):
            event.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Event]:
        """Register an event for the topic while the block runs."""
        event = asyncio.Event()
        self._events[topic].add(event)
        try:
            yield event
        finally:
            self._events[topic].discard(event)
            if not self._events[topic]:
                del self._events[topic]


class RedisFanOut(InProcessFanOut):
    """Redis pub/sub: one connection listens to every topic and sets local events."""

    def __init__(self, redis: Redis, channel_prefix: str = CHANNEL_PREFIX) -> None:
        super().__init__()
        self._redis = redis
        self.channel_prefix = channel_prefix
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()  # set once Redis confirms the listener's PSUBSCRIBE

    async def publish(self, topic: str) -> None:
        """Publish on Redis; every replica's listener wakes its own subscribers."""
        await self._redis.publish(self.channel_prefix + topic, b"1")

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Event]:
        """Register locally and return once Redis has confirmed the listener's subscription (started
        on first use), so a wake-up published from then on is received."""
        self._ensure_listener()
        async with super().subscribe(topic) as event:
            await self._confirmed()
            yield event

    async def _confirmed(self) -> None:
        try:
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            logger.warning("Redis did not confirm the fan-out subscription; wake-ups may be late")

    def _ensure_listener(self) -> None:
        listener = self._listener
        stale = listener is None or listener.done() or listener.get_loop() is not asyncio.get_running_loop()
        if stale:
            self._subscribed = asyncio.Event()
            self._listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self.channel_prefix + "*")
                    async for item in pubsub.listen():
                        await self._dispatch(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._subscribed.clear()
                logger.warning("Redis fan-out listener failed; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)

    async def _dispatch(self, item: dict[str, object]) -> None:
        if item.get("type") == "psubscribe":
            self._subscribed.set()
        if item.get("type") != "pmessage":
            return
        channel = item["channel"]
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        await InProcessFanOut.publish(self, name.removeprefix(self.channel_prefix))

    async def close(self) -> None:
        """Stop listening."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self._redis.aclose()
