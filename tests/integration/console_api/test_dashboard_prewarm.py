"""Refresh-ahead of the dashboard's default views (DASHBOARD_PREWARM_SECONDS): the figures are in the
cache the page reads without any page request, new tickets show after the next round, one refresher
at a time (a Redis lease, or one per process with the in-process cache), and nothing for roles
that may not read statistics."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from console_testkit import login
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.models import Unit
from backend.bootstrap import Container, bootstrap, build_prewarmer, prewarms_in_worker
from backend.domain.sla import LOCAL_TZ
from backend.entrypoints.app import create_app
from backend.services.commands import Contact, CreateTicket
from backend.services.figures_cache import cache_key
from backend.services.figures_prewarm import DashboardPrewarmer, default_query, refreshing
from backend.settings import Settings
from tests.polling import wait_until

TIMEOUT_S = 60.0  # generous: only a bound on how long the polling waits, never asserted


def _settings(base: Settings, redis_url: str | None, prefix: str, period: int = 10) -> Settings:
    update = {"dashboard_cache_seconds": 30, "dashboard_prewarm_seconds": period, "redis_url": redis_url,
              "redis_key_prefix": prefix}  # fmt: skip
    return base.model_copy(update=update)


@pytest.fixture
def shared(backend_settings: Settings) -> Iterator[Container]:
    """A worker-like container whose cache is the Redis cache the session's app reads."""
    settings = _settings(backend_settings, backend_settings.redis_url, backend_settings.redis_key_prefix)
    container = bootstrap(settings)
    assert prewarms_in_worker(settings)
    client = redis.Redis.from_url(str(settings.redis_url))
    client.delete(f"{settings.redis_key_prefix}dashboard:prewarm-lease")
    for key in client.scan_iter(f"{settings.redis_key_prefix}dashboard:stats:*"):
        client.delete(key)  # no entry left by earlier tests: whatever is found below was prewarmed
    yield container
    container.engine.dispose()


def _prewarmer(container: Container) -> DashboardPrewarmer:
    prewarmer = build_prewarmer(container)
    assert prewarmer is not None
    return prewarmer


def _default(container: Container, unit: str | None = None) -> dict[str, Any] | None:
    assert container.figures_cache is not None
    today = container.clock().astimezone(LOCAL_TZ).date()
    return container.figures_cache.get(cache_key(default_query(today, unit)))


def _file(container: Container) -> str:
    chat = str(uuid.uuid4().int % 10**9)
    contact = Contact("telegram", chat)
    words = f"Rác thải ven sông {uuid.uuid4().hex[:8]}"
    container.tickets.create(CreateTicket("environment", words, contact, area="Tân Thạnh"))
    return chat


def _units(container: Container) -> list[str]:
    with container.session_factory() as session:
        return list(session.scalars(select(Unit.code)))


def _poll(found: Callable[[], Any]) -> Any:
    return wait_until(found, TIMEOUT_S, f"not seen within {TIMEOUT_S:.0f} s")


def _page_figures(client: TestClient) -> dict[str, Any]:
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    found = re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', page.text, re.S)
    assert found
    return dict(json.loads(found.group(1)))


def test_the_default_views_are_in_the_shared_cache_before_anyone_asks_and_follow_new_tickets(
    shared: Container, client_as: Callable[[str], TestClient]
) -> None:
    assert _default(shared) is None
    prewarmer = _prewarmer(shared)
    units = _units(shared)
    assert prewarmer.refresh_once() == 1 + len(units)  # the province, then each area of the filter
    province = _default(shared)
    assert province is not None and all(_default(shared, unit) is not None for unit in units)
    leader = client_as("leader")
    assert _page_figures(leader)["as_of"] == province["as_of"]  # the page served the prewarmed entry
    contact = _file(shared)
    assert prewarmer.refresh_once() is not None
    again = _default(shared)
    assert again is not None and again["totals"]["count"] == province["totals"]["count"] + 1
    assert _page_figures(leader) == again
    for row in again["by_unit"]:
        if row["code"]:
            assert (_default(shared, row["code"]) or {})["totals"]["count"] == row["count"]
    assert contact not in json.dumps(again)  # counts only: nothing a leader may not see
    assert client_as("officer").get("/console/dashboard").status_code == 403


def test_one_refresher_at_a_time_across_processes_and_another_takes_over(shared: Container) -> None:
    first, second = _prewarmer(shared), _prewarmer(shared)  # two workers: own leases, one Redis key
    first.period = second.period = 1  # leases of 2 s, so the take-over below comes soon
    results: dict[str, int | None] = {}
    start = threading.Barrier(2)

    def contend(prewarmer: DashboardPrewarmer) -> None:
        start.wait()
        results[prewarmer.holder] = prewarmer.refresh_once()

    threads = [threading.Thread(target=contend, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found is None for found in results.values()) == [False, True]  # exactly one computed
    winner, loser = (first, second) if results[first.holder] is not None else (second, first)
    before = _default(shared)
    assert loser.refresh_once() is None and _default(shared) == before  # it computed nothing
    assert winner.refresh_once() is not None  # the holder renews its lease
    _poll(loser.refresh_once)  # the holder stopped: its lease ends and the other one refreshes


def test_the_worker_loop_keeps_the_default_view_fresh(shared: Container) -> None:
    prewarmer = _prewarmer(shared)
    prewarmer.period = 1

    async def scenario() -> None:
        async with refreshing(prewarmer):
            first = await asyncio.to_thread(_poll, lambda: _default(shared))
            await asyncio.to_thread(_file, shared)
            count = first["totals"]["count"] + 1
            await asyncio.to_thread(
                _poll, lambda: (_default(shared) or {}).get("totals", {}).get("count") == count
            )

    asyncio.run(scenario())


def test_without_redis_the_backend_process_keeps_its_own_cache_warm(
    backend_settings: Settings, accounts: dict[str, str]
) -> None:
    settings = _settings(backend_settings, None, backend_settings.redis_key_prefix, period=1)
    container = bootstrap(settings)
    assert not prewarms_in_worker(settings)
    with TestClient(create_app(container=container)) as client:  # the lifespan starts the refresher
        first = _poll(lambda: _default(container))  # no page asked for it
        _file(container)
        count = first["totals"]["count"] + 1
        fresh = _poll(lambda: (_default(container) or {}).get("totals", {}).get("count") == count)
        assert fresh
        assert login(client, accounts["leader"]).status_code == 200
        assert _page_figures(client)["totals"]["count"] >= count
