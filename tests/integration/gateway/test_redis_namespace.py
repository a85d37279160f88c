"""Deployments (and test runs) sharing one Redis server stay apart through REDIS_KEY_PREFIX."""

from __future__ import annotations

import uuid

import redis

from backend.adapters.redis.rate_limit import RedisRateLimiter


def test_rate_limits_with_different_prefixes_do_not_share_counts(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    first = RedisRateLimiter(client, per_minute=2, key_prefix=f"a-{uuid.uuid4().hex}:rate:")
    second = RedisRateLimiter(client, per_minute=2, key_prefix=f"b-{uuid.uuid4().hex}:rate:")

    verdicts = [first.verdict("telegram:1") for _ in range(3)]

    assert verdicts == ["ok", "ok", "limited_first"]
    assert second.verdict("telegram:1") == "ok"
