"""Gateway replicas share web chat wake-ups and per-sender rate limits through Redis; without
REDIS_URL (`make run`) the in-process equivalents serve one process."""

from __future__ import annotations

import asyncio
import uuid

import redis
import redis.asyncio

from backend.adapters.redis.fanout import AbstractFanOut, InProcessFanOut, RedisFanOut
from backend.adapters.redis.rate_limit import InProcessRateLimiter, RedisRateLimiter


async def _woken(publisher: AbstractFanOut, subscriber: AbstractFanOut, topic: str) -> bool:
    """Publish on one side until the other side's subscription wakes (a wake-up is only a hint to
    re-read the thread, so publishing again is harmless); False after about 5 s."""
    async with subscriber.subscribe(topic) as woken:
        for _ in range(50):
            await publisher.publish(topic)
            try:
                await asyncio.wait_for(woken.wait(), 0.1)
                return True
            except TimeoutError:
                continue
    return False


async def test_a_wake_up_published_on_one_replica_reaches_a_session_on_another(redis_url: str) -> None:
    prefix = f"ioc-test-{uuid.uuid4().hex}:chat:"
    one = RedisFanOut(redis.asyncio.Redis.from_url(redis_url), prefix)
    another = RedisFanOut(redis.asyncio.Redis.from_url(redis_url), prefix)
    try:
        assert await _woken(one, another, "web-session-1")
    finally:
        await one.close()
        await another.close()


async def test_a_wake_up_published_as_soon_as_subscribe_returns_arrives(redis_url: str) -> None:
    """subscribe() returns once Redis has confirmed the subscription: one publish, no retry, no
    pause, reaches a freshly started listener every time (50 fresh listeners)."""
    prefix = f"ioc-test-{uuid.uuid4().hex}:chat:"
    publisher = RedisFanOut(redis.asyncio.Redis.from_url(redis_url), prefix)
    try:
        for attempt in range(50):
            subscriber = RedisFanOut(redis.asyncio.Redis.from_url(redis_url), prefix)
            try:
                async with subscriber.subscribe(f"web-session-{attempt}") as woken:
                    await publisher.publish(f"web-session-{attempt}")
                    await asyncio.wait_for(woken.wait(), 5)
            finally:
                await subscriber.close()
    finally:
        await publisher.close()


async def test_without_redis_wake_ups_stay_in_their_process() -> None:
    one, another = InProcessFanOut(), InProcessFanOut()

    assert await _woken(one, one, "web-session-2")
    async with another.subscribe("web-session-2") as elsewhere:
        await one.publish("web-session-2")
        assert not elsewhere.is_set()


def test_replicas_count_a_sender_together(redis_url: str) -> None:
    prefix = f"ioc-test-{uuid.uuid4().hex}:rate:"
    one = RedisRateLimiter(redis.Redis.from_url(redis_url), per_minute=2, key_prefix=prefix)
    another = RedisRateLimiter(redis.Redis.from_url(redis_url), per_minute=2, key_prefix=prefix)

    verdicts = [one.verdict("zalo:8801"), another.verdict("zalo:8801"), one.verdict("zalo:8801")]

    assert verdicts == ["ok", "ok", "limited_first"]
    assert another.verdict("zalo:8801") == "limited" and another.verdict("zalo:8802") == "ok"


def test_without_redis_a_process_counts_its_own_senders() -> None:
    limiter = InProcessRateLimiter(per_minute=2)

    verdicts = limiter.verdicts(["telegram:1", "telegram:1", "telegram:2", "telegram:1", "telegram:1"])

    assert verdicts == ["ok", "ok", "ok", "limited_first", "limited"]
