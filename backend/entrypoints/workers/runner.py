"""The worker process: the outbox delivery loop, the Rasa forwarder loop and, when the dashboard's
cache is in Redis, its refresh-ahead (DASHBOARD_PREWARM_SECONDS), until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from backend.bootstrap import bootstrap, build_prewarmer, prewarms_in_worker
from backend.entrypoints.console.live import build_feed, publish_on_commit
from backend.entrypoints.gateway.wiring import Gateway, build_gateway
from backend.entrypoints.ops import metrics_serving
from backend.logging_setup import configure_logging
from backend.settings import Settings, get_settings

logger = logging.getLogger(__name__)


async def delivery_loop(gateway: Gateway, stop: asyncio.Event) -> None:
    """Deliver due outbox rows; sleep only when there was nothing to do."""
    poll = gateway.container.settings.worker_poll_seconds
    while not stop.is_set():
        try:
            claimed = await gateway.delivery.run_once()
        except Exception:
            logger.exception("delivery loop failed")
            claimed = 0
        if not claimed:
            await _sleep(stop, poll)


async def forwarder_loop(gateway: Gateway, stop: asyncio.Event) -> None:
    """Retry messages still pending (Rasa was down, or the gateway died before forwarding)."""
    every = gateway.container.settings.forwarder_sweep_seconds
    while not stop.is_set():
        try:
            await gateway.processor.sweep(older_than=timedelta(seconds=every))
        except Exception:
            logger.exception("forwarder loop failed")
        await _sleep(stop, every)


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the loops until ``stop`` is set (SIGINT/SIGTERM set it in `main`)."""
    stop = stop or asyncio.Event()
    container = bootstrap(settings)
    feed = build_feed(settings)  # delivery states reach open ticket pages (through Redis)
    publish_on_commit(container.session_factory, feed)
    gateway = build_gateway(container)
    prewarmer = build_prewarmer(container) if prewarms_in_worker(settings) else None
    await gateway.start()
    try:
        loops = [delivery_loop(gateway, stop), forwarder_loop(gateway, stop)]
        async with metrics_serving(container, settings.worker_metrics_port):
            await asyncio.gather(*loops, *([prewarmer.run(stop)] if prewarmer else []))
    finally:
        await gateway.close()
        await feed.close()
        container.engine.dispose()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run(get_settings(), stop)


def main() -> None:
    """Entry point of `python -m backend.entrypoints.workers`."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_main())
