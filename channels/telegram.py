"""Telegram adapter over python-telegram-bot: webhook parsing, photo download, sending, polling."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from channels._media import image_suffix, mask_id, store_media
from channels._telegram_parse import (
    SECRET_HEADER,
    callback_data_for,
    parse_update,
    verify_secret_token,
)
from channels._telegram_request import TelegramRequest
from channels.config import NETWORK_RETRY_AFTER, TelegramConfig
from channels.errors import PermanentError, RetryLater, TokenExpired, Unreachable
from channels.media_fetch import DEFAULT_MAX_BYTES
from channels.messages import Button, Delivered, InboundMessage, OutboundMessage

__all__ = ["SECRET_HEADER", "TelegramChannel", "parse_update", "register_webhook", "verify_secret_token"]

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
UNREACHABLE_BAD_REQUESTS = ("chat not found", "user not found", "peer_id_invalid")

InboundHandler = Callable[[InboundMessage], Awaitable[None]]


class TelegramChannel:
    """One bot: verifies and parses webhooks, stores photos, sends replies."""

    def __init__(
        self, config: TelegramConfig, media_dir: Path | None = None, max_photo_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        base = config.api_base_url.rstrip("/")
        self._config = config
        self._media_dir = media_dir
        self._max_photo_bytes = max_photo_bytes
        self._offset: int | None = None
        self.bot = Bot(config.bot_token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
                       request=TelegramRequest(base))  # fmt: skip

    async def __aenter__(self) -> TelegramChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Open connections and check the token (getMe)."""
        try:
            await self.bot.initialize()
        except InvalidToken:
            raise TokenExpired("Telegram rejected the bot token") from None  # its message holds the token
        except NetworkError as exc:
            raise RetryLater(f"Telegram unavailable: {exc.message}", NETWORK_RETRY_AFTER) from exc

    async def close(self) -> None:
        """Close connections."""
        await self.bot.shutdown()

    def verify(self, secret_token: str | None) -> None:
        """Raise InvalidSignature unless the webhook carries our secret token."""
        verify_secret_token(self._config.webhook_secret, secret_token)

    async def receive(self, data: Mapping[str, Any]) -> InboundMessage | None:
        """Parse an update, answer a callback query, and store a photo; None if ignored."""
        message = parse_update(data)
        if message is None:
            return None
        if message.callback_id is not None:
            await self._answer_callback(message.callback_id)
        return await self.download_photos(message)

    async def download_photos(self, message: InboundMessage) -> InboundMessage:
        """Fetch the message's photos through getFile into the media directory."""
        media_dir = self._media_dir
        if not message.photo_refs or message.photo_paths or media_dir is None:
            return message
        with _delivery_errors("getFile", message.channel_user_id):
            paths = [str(await self._download(media_dir, ref)) for ref in message.photo_refs]
        return dataclasses.replace(message, photo_paths=tuple(paths))

    async def _download(self, media_dir: Path, file_id: str) -> Path:
        file = await self.bot.get_file(file_id)
        if (file.file_size or 0) > self._max_photo_bytes:
            raise PermanentError(f"photo larger than {self._max_photo_bytes} bytes")
        data = bytes(await file.download_as_bytearray())
        if len(data) > self._max_photo_bytes:  # getFile's size is optional
            raise PermanentError(f"photo larger than {self._max_photo_bytes} bytes")
        return store_media(media_dir, data, image_suffix(file.file_path or ""))

    async def _answer_callback(self, callback_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError:
            logger.warning("answerCallbackQuery failed", exc_info=True)

    async def send(self, message: OutboundMessage) -> Delivered:
        """Deliver a reply: a photo (caption + buttons) or text with an inline keyboard."""
        with _delivery_errors("send", message.channel_user_id):
            if message.has_image:
                sent = await self._send_photo(message)
            else:
                sent = await self._send_text(message.channel_user_id, message.text, message.buttons)
        return Delivered(str(sent.message_id))

    async def _send_text(self, chat_id: str, text: str, buttons: Sequence[Button]) -> Message:
        if not text.strip():
            raise PermanentError("a Telegram message needs text")
        chunks = [text[i : i + MAX_TEXT] for i in range(0, len(text), MAX_TEXT)]
        for chunk in chunks[:-1]:
            await self.bot.send_message(chat_id, chunk)
        return await self.bot.send_message(chat_id, chunks[-1], reply_markup=_keyboard(buttons))

    async def _send_photo(self, message: OutboundMessage) -> Message:
        photo: str | Path = message.image_url or Path(message.image_path or "")
        fits = len(message.text) <= MAX_CAPTION
        sent = await self.bot.send_photo(
            message.channel_user_id,
            photo,
            caption=message.text if fits and message.text else None,
            reply_markup=_keyboard(message.buttons) if fits else None,
        )
        if fits:
            return sent
        return await self._send_text(message.channel_user_id, message.text, message.buttons)

    async def set_webhook(self, url: str) -> None:
        """Register ``url`` as the bot's webhook with our secret token."""
        with _delivery_errors("setWebhook", ""):
            await self.bot.set_webhook(
                url,
                secret_token=self._config.webhook_secret or None,
                allowed_updates=list(ALLOWED_UPDATES),
            )

    async def poll(self, handle: InboundHandler, stop: asyncio.Event, *, timeout: int = 25) -> None:
        """Long-poll getUpdates until ``stop`` is set (local use without a public URL)."""
        with _delivery_errors("deleteWebhook", ""):
            await self.bot.delete_webhook()
        while not stop.is_set():
            try:
                await self.poll_once(handle, timeout=timeout)
            except RetryLater as exc:
                logger.warning("Telegram polling failed: %s", exc)
                await _sleep_unless(stop, exc.retry_after)

    async def poll_once(self, handle: InboundHandler, *, timeout: int = 0) -> int:
        """Fetch one batch of updates and hand each to ``handle``; return how many there were."""
        with _delivery_errors("getUpdates", ""):
            updates = await self.bot.get_updates(
                offset=self._offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES)
            )
        for update in updates:
            message = await self.receive(update.to_dict())
            if message is not None:
                await handle(message)
            self._offset = update.update_id + 1
        return len(updates)


async def register_webhook(config: TelegramConfig, url: str) -> None:
    """Point the bot's webhook at ``url`` (e.g. https://<host>/webhooks/telegram) with our secret."""
    async with TelegramChannel(config) as channel:
        await channel.set_webhook(url)


def _keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.title, callback_data=callback_data_for(b.title, b.payload))] for b in buttons
    ]
    return InlineKeyboardMarkup(rows)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


@contextlib.contextmanager
def _delivery_errors(action: str, chat_id: str) -> Iterator[None]:
    """Translate python-telegram-bot exceptions into the channels' typed errors."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLater("Telegram flood control", float(_seconds(exc.retry_after))) from exc
    except Forbidden as exc:
        logger.info("Telegram %s: chat %s unreachable", action, mask_id(chat_id))
        raise Unreachable(exc.message) from exc
    except InvalidToken as exc:
        raise TokenExpired("Telegram rejected the bot token") from exc
    except BadRequest as exc:
        if any(text in exc.message.lower() for text in UNREACHABLE_BAD_REQUESTS):
            raise Unreachable(exc.message) from exc
        raise PermanentError(f"Telegram {action}: {exc.message}") from exc
    except NetworkError as exc:
        raise RetryLater(f"Telegram {action}: {exc.message}", NETWORK_RETRY_AFTER) from exc
    except TelegramError as exc:
        raise RetryLater(f"Telegram {action}: {exc.message}", NETWORK_RETRY_AFTER) from exc


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
