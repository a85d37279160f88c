"""The dashboard's short per-filter cache: Redis or in-process, off with 0, the access check first,
a visible time on the page, and a CSV export that never goes through it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient

from backend.bootstrap import Container, build_figures_cache
from backend.domain.access import Forbidden, Principal, Role
from backend.services.commands import Contact, CreateTicket
from backend.services.figures_cache import CachedStatistics, InProcessFiguresCache, cache_key
from backend.services.statistics import Statistics, StatsQuery
from backend.settings import Settings

LEADER = Principal(0, "lanh.dao.cache", "Lãnh đạo", Role.LEADER, None)
DISPATCHER = Principal(0, "dieu.phoi.cache", "Điều phối", Role.DISPATCHER, None)
OFFICER = Principal(0, "can.bo.cache", "Cán bộ", Role.OFFICER, "tam_ky_environment")
TODAY = StatsQuery(datetime.now(UTC).date() - timedelta(days=1), datetime.now(UTC).date() + timedelta(days=1),
                   department="tam_ky_environment")  # fmt: skip


def _file(container: Container, words: str = "Rác thải ven sông") -> str:
    contact = Contact("telegram", str(uuid.uuid4().int % 10**9))
    command = CreateTicket("environment", f"{words} {uuid.uuid4().hex[:8]}", contact, area="Tân Thạnh")
    return str(container.tickets.create(command).view.code)


def _cached(container: Container, seconds: int, cache: object) -> CachedStatistics:
    statistics = Statistics(container.session_factory, container.clock)
    return CachedStatistics(statistics, cache, seconds)  # type: ignore[arg-type]


@pytest.mark.parametrize("where", ["redis", "process"])
def test_figures_are_reused_per_filter_until_they_expire_and_not_when_off(
    backend_container: Container, backend_settings: Settings, where: str
) -> None:
    settings = backend_settings.model_copy(update={"dashboard_cache_seconds": 60})
    if where == "process":
        settings = settings.model_copy(update={"redis_url": None})
    cache = build_figures_cache(settings)
    assert type(cache).__name__ == ("RedisFiguresCache" if where == "redis" else "InProcessFiguresCache")
    cached, fresh = _cached(backend_container, 60, cache), _cached(backend_container, 0, cache)
    query = StatsQuery(TODAY.start, TODAY.end, department=TODAY.department, bucket="week")
    before = cached.compute(LEADER, query)
    _file(backend_container)
    again = cached.compute(DISPATCHER, query)  # every statistics reader shares the entry
    assert again == before and again["as_of"] == before["as_of"]
    assert fresh.compute(LEADER, query)["totals"]["count"] == before["totals"]["count"] + 1
    other = StatsQuery(query.start, query.end, department=query.department, bucket="month")
    assert cached.compute(LEADER, other)["totals"]["count"] == before["totals"]["count"] + 1
    with pytest.raises(Forbidden):
        cached.compute(OFFICER, query)  # the access check runs before the cache is read


def test_redis_entries_live_under_the_prefix_and_expire(
    backend_container: Container, backend_settings: Settings
) -> None:
    settings = backend_settings.model_copy(update={"dashboard_cache_seconds": 45})
    _cached(backend_container, 45, build_figures_cache(settings)).compute(LEADER, TODAY)
    assert settings.redis_url
    client = redis.Redis.from_url(settings.redis_url)
    key = f"{settings.redis_key_prefix}dashboard:{cache_key(TODAY)}"
    assert 0 < int(client.ttl(key)) <= 45
    assert build_figures_cache(settings.model_copy(update={"dashboard_cache_seconds": 0})) is None


def test_in_process_entries_expire_and_stay_bounded() -> None:
    now = [100.0]
    cache = InProcessFiguresCache(max_entries=2, clock=lambda: now[0])
    cache.put("a", {"n": 1}, 30)
    assert cache.get("a") == {"n": 1}
    now[0] += 30
    assert cache.get("a") is None
    for key in ("b", "c", "d"):
        cache.put(key, {"n": key}, 30)
    assert cache.get("b") is None and cache.get("d") == {"n": "d"}
    copy = cache.get("d")
    assert copy is not None
    copy["n"] = "changed"
    assert cache.get("d") == {"n": "d"}  # readers get copies


def test_dashboard_says_when_its_figures_were_computed_and_the_export_stays_exact(
    client_as: Callable[[str], TestClient], backend_container: Container
) -> None:
    leader, dispatcher = client_as("leader"), client_as("dispatcher")
    page = leader.get("/console/dashboard", params={"department": "tam_ky_environment"})
    assert page.status_code == 200
    assert "Số liệu cập nhật lúc " in page.text
    assert "as_of" in leader.get("/api/v1/stats").json()
    params = {"department": "tam_ky_environment"}
    dispatcher.get("/console/dashboard", params=params)  # fills the cache for this filter
    code = _file(backend_container, "Bãi rác tự phát cạnh trường học")
    export = dispatcher.get("/api/v1/console/tickets.csv", params=params)
    assert export.status_code == 200 and code in export.text
