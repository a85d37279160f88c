"""Build the configured channel adapters once per process and send through them."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.adapters.db.engine import make_async_engine, normalise_url
from backend.adapters.db.zalo_token_store import PostgresTokenStore
from backend.settings import Settings
from channels import (
    AbstractTokenStore,
    Channel,
    ChannelError,
    Delivered,
    FileTokenStore,
    OutboundMessage,
    PermanentError,
    TelegramChannel,
    TokenPair,
    ZaloChannel,
    ZaloConfig,
    read_token_file,
)

logger = logging.getLogger(__name__)


class ChannelSenders:
    """The Telegram and Zalo adapters that are switched on (None when off)."""

    def __init__(
        self, telegram: TelegramChannel | None, zalo: ZaloChannel | None, engine: AsyncEngine | None = None
    ) -> None:
        self.telegram = telegram
        self.zalo = zalo
        self._engine = engine  # the Zalo token store's, disposed at close

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelSenders:
        """Adapters for the channels whose credentials are set."""
        telegram_config, zalo_config = settings.telegram_config(), settings.zalo_config()
        media_dir, max_bytes = Path(settings.media_dir), settings.photo_max_bytes
        telegram = None
        if telegram_config.configured:
            telegram = TelegramChannel(telegram_config, media_dir, max_bytes)
        if not zalo_config.configured:
            return cls(telegram, None)
        store, engine = zalo_token_store(settings, zalo_config)
        zalo = ZaloChannel(zalo_config, store, media_dir=media_dir, max_photo_bytes=max_bytes)
        return cls(telegram, zalo, engine)

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
        if self._engine is not None:
            await self._engine.dispose()

    async def send(self, message: OutboundMessage) -> Delivered:
        """Deliver through the citizen's channel (web chat is delivered by the caller)."""
        if message.channel is Channel.TELEGRAM and self.telegram is not None:
            return await self.telegram.send(message)
        if message.channel is Channel.ZALO and self.zalo is not None:
            return await self.zalo.send(message)
        raise PermanentError(f"channel {message.channel.value} is off (no credentials)")


def zalo_token_store(settings: Settings, config: ZaloConfig) -> tuple[AbstractTokenStore, AsyncEngine | None]:
    """Where the Zalo token pair lives (and the engine to dispose). On PostgreSQL: the database,
    shared by every replica on every host, seeded from ZALO_TOKEN_FILE if that file exists (its
    pair is newer than the settings') else from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN. Otherwise
    (SQLite, `make run`): ZALO_TOKEN_FILE, shared by the processes of one host."""
    path = Path(settings.zalo_token_file)
    if make_url(normalise_url(settings.database_url)).get_backend_name() != "postgresql":
        return FileTokenStore(path), None
    engine = make_async_engine(settings.database_url)
    seed = read_token_file(path) or TokenPair(config.access_token, config.refresh_token)
    return PostgresTokenStore(engine, config.app_id, seed), engine
