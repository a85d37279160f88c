"""Telegram commands of the CLI: register the webhook, or poll for local use."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from backend.bootstrap import bootstrap
from backend.entrypoints.gateway.wiring import build_gateway
from backend.entrypoints.workers.runner import delivery_loop, forwarder_loop
from backend.settings import Settings
from channels import InboundMessage, TelegramChannel

WEBHOOK_PATH = "/webhooks/telegram"


def _channel(settings: Settings) -> TelegramChannel:
    config = settings.telegram_config()
    if not config.configured:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    return TelegramChannel(config, settings.media_dir, settings.photo_max_bytes)


def set_webhook(settings: Settings) -> None:
    """setWebhook to PUBLIC_BASE_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET."""
    if not settings.telegram_webhook_secret:
        raise SystemExit("TELEGRAM_WEBHOOK_SECRET is not set (the webhook rejects updates without it)")
    url = settings.public_base_url.rstrip("/") + WEBHOOK_PATH

    async def register() -> None:
        async with _channel(settings) as channel:
            await channel.set_webhook(url)

    asyncio.run(register())
    print(f"Telegram webhook set to {url}")


def poll(settings: Settings) -> None:
    """Long-poll getUpdates (no public URL needed) into the same inbound pipeline; Ctrl+C stops."""
    _channel(settings)
    asyncio.run(_poll(settings))


async def _poll(settings: Settings) -> None:
    container = bootstrap(settings)
    gateway = build_gateway(container)
    telegram = gateway.senders.telegram
    assert telegram is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    async def handle(message: InboundMessage) -> None:
        await gateway.receive(message)

    await gateway.start()
    print("Polling Telegram; press Ctrl+C to stop.")
    try:
        await asyncio.gather(
            telegram.poll(handle, stop), delivery_loop(gateway, stop), forwarder_loop(gateway, stop)
        )
    finally:
        await gateway.close()
        container.engine.dispose()
