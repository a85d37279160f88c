"""Build the configured channel adapters once per process and send through them."""

from __future__ import annotations

import logging
from pathlib import Path

from backend.settings import Settings
from channels import (
    Channel,
    ChannelError,
    Delivered,
    FileTokenStore,
    OutboundMessage,
    PermanentError,
    TelegramChannel,
    ZaloChannel,
)

logger = logging.getLogger(__name__)


class ChannelSenders:
    """The Telegram and Zalo adapters that are switched on (None when off)."""

    def __init__(self, telegram: TelegramChannel | None, zalo: ZaloChannel | None) -> None:
        self.telegram = telegram
        self.zalo = zalo

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelSenders:
        """Adapters for the channels whose credentials are set."""
        telegram_config, zalo_config = settings.telegram_config(), settings.zalo_config()
        telegram = (
            TelegramChannel(telegram_config, Path(settings.media_dir)) if telegram_config.configured else None
        )
        zalo = None
        if zalo_config.configured:
            store = FileTokenStore(Path(settings.zalo_token_file))
            zalo = ZaloChannel(zalo_config, store, media_dir=Path(settings.media_dir))
        return cls(telegram, zalo)

    async def start(self) -> None:
        """Open the Telegram bot (getMe); a failure is logged and retried on the first send."""
        if self.telegram is None:
            return
        try:
            await self.telegram.start()
        except ChannelError as exc:
            logger.warning("Telegram start failed: %s", exc)

    async def close(self) -> None:
        """Close the adapters' connections."""
        if self.telegram is not None:
            await self.telegram.close()
        if self.zalo is not None:
            await self.zalo.close()

    async def send(self, message: OutboundMessage) -> Delivered:
        """Deliver through the citizen's channel (web chat is delivered by the caller)."""
        if message.channel is Channel.TELEGRAM and self.telegram is not None:
            return await self.telegram.send(message)
        if message.channel is Channel.ZALO and self.zalo is not None:
            return await self.zalo.send(message)
        raise PermanentError(f"channel {message.channel.value} is off (no credentials)")
