"""Media and platform chores of an inbound message before it goes to Rasa: photos fetched through
MEDIA_DIR into the media store (served to officials under PUBLIC_BASE_URL/media/), and Telegram
callback queries answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from telegram.error import TelegramError

from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.media_store import AbstractMediaStore, MediaUnavailable
from backend.adapters.notifiers.senders import ChannelSenders
from backend.domain.errors import DomainError
from channels import Channel, InboundMessage, MessageKind, RetryLater

logger = logging.getLogger(__name__)
T = TypeVar("T")
STORE_RETRY_SECONDS = 5.0


class InboundMedia:
    """Downloads photos through the channel adapters and checks web chat uploads."""

    def __init__(self, senders: ChannelSenders, media: AbstractMediaStore) -> None:
        self.senders = senders
        self.media = media

    async def fetch(self, record: InboundRecord) -> list[str]:
        """Our URLs of the message's photos: downloaded from Telegram/Zalo, web chat's checked."""
        details = record.details or {}
        refs, urls = tuple(details.get("photo_refs") or ()), tuple(details.get("photo_urls") or ())
        if not refs and not urls:
            return []
        if record.channel == Channel.WEBCHAT.value:
            return [url for url in urls if await self._in_store(self._is_our_media, url)]
        message = InboundMessage(Channel(record.channel), record.channel_user_id, record.message_id,
                                 MessageKind.PHOTO, photo_refs=refs, photo_urls=urls)  # fmt: skip
        adapter = self.senders.telegram if record.channel == Channel.TELEGRAM.value else self.senders.zalo
        if adapter is None:
            return []
        stored = await adapter.download_photos(message)
        names = [await self._in_store(self.media.adopt, Path(path)) for path in stored.photo_paths]
        return [self.media.url_of(name) for name in names]

    @staticmethod
    async def _in_store(step: Callable[[Any], T], argument: Any) -> T:
        """A media store call off the event loop; an unreachable store means try again later."""
        try:
            return await asyncio.to_thread(step, argument)
        except MediaUnavailable as exc:
            raise RetryLater(str(exc), STORE_RETRY_SECONDS) from exc

    def _is_our_media(self, url: str) -> bool:
        try:
            self.media.find(url)
        except (DomainError, OSError):
            return False
        return True

    async def answer_callback(self, record: InboundRecord) -> None:
        """Stop the spinner on the Telegram button the citizen pressed."""
        callback_id = (record.details or {}).get("callback_id")
        if callback_id and self.senders.telegram is not None:
            try:
                await self.senders.telegram.bot.answer_callback_query(callback_id)
            except TelegramError:
                logger.info("answerCallbackQuery failed", exc_info=True)
