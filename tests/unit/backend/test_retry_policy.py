"""Outbox retries: exponential backoff with jitter, never beyond OUTBOX_BACKOFF_MAX, never before
what the channel asked for (Telegram's retry_after)."""

from __future__ import annotations

from datetime import timedelta

from backend.services.delivery import RetryPolicy

POLICY = RetryPolicy(base=2.0, cap=3600.0, max_attempts=8)
SAMPLES = 200


def _delays(attempt: int, at_least: float = 0.0) -> list[float]:
    return [POLICY.delay(attempt, at_least).total_seconds() for _ in range(SAMPLES)]


def test_the_wait_doubles_with_each_attempt_within_the_jitter() -> None:
    for attempt, middle in ((1, 2.0), (2, 4.0), (3, 8.0), (6, 64.0)):
        assert all(middle * 0.5 <= delay <= middle * 1.5 for delay in _delays(attempt))


def test_the_wait_never_exceeds_the_maximum() -> None:
    assert max(_delays(20)) <= POLICY.cap
    assert min(_delays(20)) >= POLICY.cap * 0.5


def test_the_channels_own_delay_is_respected() -> None:
    assert min(_delays(1, at_least=30.0)) >= 30.0
    assert POLICY.delay(1, at_least=7200.0) == timedelta(seconds=7200)
