"""Operator endpoints: /healthz (alive), /readyz (dependencies reachable), and the metrics server
(METRICS_HOST:METRICS_PORT, off by default, never on the public app)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from backend.adapters.metrics import DatabaseGauges, serve_metrics, stop_metrics
from backend.adapters.readiness import action_health_url, database_ready, http_ready, redis_ready
from backend.bootstrap import Container

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when every dependency answers, 503 naming the ones that do not."""
    container: Container = request.app.state.container
    async with httpx.AsyncClient() as http:
        probes = _probes(container, http)
        details = dict(await asyncio.gather(*(_check(name, probe) for name, probe in probes.items())))
    ready = all(check["ok"] for check in details.values())
    body = {"status": "ready" if ready else "not ready", "checks": details}
    return JSONResponse(body, status_code=200 if ready else 503)


def _probes(container: Container, http: httpx.AsyncClient) -> dict[str, Callable[[], Awaitable[None]]]:
    settings = container.settings
    probes: dict[str, Callable[[], Awaitable[None]]] = {
        "database": lambda: run_in_threadpool(database_ready, container.engine),
        "rasa": lambda: _any_ready(http, settings.rasa_urls),
    }
    if redis_url := settings.redis_url:
        probes["redis"] = lambda: run_in_threadpool(redis_ready, redis_url)
    if settings.action_endpoint_url:
        probes["action_server"] = lambda: http_ready(http, action_health_url(settings.action_endpoint_url))
    return probes


async def _any_ready(http: httpx.AsyncClient, urls: list[str]) -> None:
    """Ready when one Rasa replica answers: the gateway skips the others."""
    failures: list[str] = []
    for url in urls:
        try:
            return await http_ready(http, url + "/")
        except Exception as exc:  # try the next replica
            failures.append(f"{url}: {type(exc).__name__}")
    raise ConnectionError("; ".join(failures) or "RASA_URL is empty")


async def _check(name: str, probe: Callable[[], Awaitable[None]]) -> tuple[str, dict[str, Any]]:
    started = time.perf_counter()
    try:
        await probe()
    except Exception as exc:  # any failure means not ready; the reason is reported
        return name, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return name, {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@asynccontextmanager
async def metrics_serving(container: Container, port: int) -> AsyncIterator[None]:
    """Serve this process's metrics on METRICS_HOST:port for the block's lifetime (0 = off)."""
    gauges = DatabaseGauges(container.session_factory, container.clock)
    server = serve_metrics(container.settings.metrics_host, port, gauges)
    try:
        yield
    finally:
        stop_metrics(server)
