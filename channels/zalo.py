"""Zalo OA API v3 adapter: a small typed httpx client for webhooks, media and CS messages."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from channels._media import image_suffix, mask_id, store_media
from channels.config import (
    DEFAULT_HTTP_TIMEOUT,
    NETWORK_RETRY_AFTER,
    ZALO_RATE_LIMIT_RETRY_AFTER,
    ZaloConfig,
)
from channels.errors import PermanentError, RetryLater, TokenExpired, Unreachable
from channels.media_fetch import DEFAULT_MAX_BYTES, MediaPolicy, fetch_image
from channels.messages import Button, Delivered, InboundMessage, OutboundMessage
from channels.zalo_tokens import AbstractTokenStore, TokenPair, ZaloTokens
from channels.zalo_webhook import SIGNATURE_HEADER, parse_webhook

__all__ = ["SIGNATURE_HEADER", "ZaloChannel", "render_text", "resolve_choice"]

logger = logging.getLogger(__name__)

MESSAGE_PATH = "/v3.0/oa/message/cs"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
TOKEN_ERRORS = frozenset({-216, -220})
RATE_LIMIT_ERRORS = frozenset({-32})
UNREACHABLE_ERRORS = frozenset({-230, -232})
MAX_TEXT = 2000
DEFAULT_CHOICE_HINT = "Vui lòng trả lời bằng số tương ứng để chọn."

ApiCall = Callable[[str], Awaitable[dict[str, Any]]]


class _TokenRejected(Exception):
    """Zalo answered -216/-220: the access token is invalid or expired."""


class ZaloChannel:
    """One Official Account: parses signed webhooks and sends CS messages, refreshing tokens."""

    def __init__(
        self,
        config: ZaloConfig,
        store: AbstractTokenStore,
        *,
        media_dir: Path | None = None,
        http: httpx.AsyncClient | None = None,
        choice_hint: str = DEFAULT_CHOICE_HINT,
        max_photo_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._config = config
        self._media_policy = MediaPolicy(config.media_hosts, max_photo_bytes)
        self._api = config.api_base_url.rstrip("/")
        self._media_dir = media_dir
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=DEFAULT_HTTP_TIMEOUT)
        self._choice_hint = choice_hint
        initial = TokenPair(config.access_token, config.refresh_token)
        self.tokens = ZaloTokens(
            store, self._http, oauth_base_url=config.oauth_base_url, app_id=config.app_id,
            app_secret=config.app_secret, initial=initial,
        )  # fmt: skip

    async def __aenter__(self) -> ZaloChannel:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP client if this channel created it."""
        if self._owns_http:
            await self._http.aclose()

    def parse(self, raw_body: bytes, signature: str | None) -> InboundMessage | None:
        """Verify ``X-ZEvent-Signature`` and parse the event; None for ignored events."""
        return parse_webhook(raw_body, signature, self._config)

    async def download_photos(self, message: InboundMessage) -> InboundMessage:
        """Fetch the message's image URLs into the media directory (allowed hosts only, no
        redirects, images of at most ``max_photo_bytes``)."""
        if not message.photo_urls or message.photo_paths or self._media_dir is None:
            return message
        media_dir = self._media_dir
        paths = [str(await self._download(media_dir, url)) for url in message.photo_urls]
        return dataclasses.replace(message, photo_paths=tuple(paths))

    async def _download(self, media_dir: Path, url: str) -> Path:
        data = await fetch_image(self._http, url, self._media_policy)
        return store_media(media_dir, data, image_suffix(url))

    async def send(self, message: OutboundMessage) -> Delivered:
        """Deliver a CS message: text (buttons as numbered choices) and an optional image."""
        chunks = _split(render_text(message.text, message.buttons, self._choice_hint))
        attachment = await self._attachment(message)
        if not chunks and attachment is None:
            raise PermanentError("a Zalo message needs text or an image")
        for chunk in chunks[:-1]:
            await self._send_body(message.channel_user_id, {"text": chunk})
        last: dict[str, Any] = {"text": chunks[-1]} if chunks else {}
        if attachment is not None:
            last["attachment"] = attachment
        data = await self._send_body(message.channel_user_id, last)
        message_id = data.get("message_id")
        return Delivered(str(message_id) if message_id else None)

    async def _send_body(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = {"recipient": {"user_id": user_id}, "message": body}
        try:
            return await self._with_token(lambda token: self._post(MESSAGE_PATH, token, json=payload))
        except Unreachable:
            logger.info("Zalo user %s is outside the messaging window", mask_id(user_id))
            raise

    async def _attachment(self, message: OutboundMessage) -> dict[str, Any] | None:
        if message.image_path:
            element = {
                "media_type": "image",
                "attachment_id": await self.upload_image(Path(message.image_path)),
            }
        elif message.image_url:
            element = {"media_type": "image", "url": message.image_url}
        else:
            return None
        return {"type": "template", "payload": {"template_type": "media", "elements": [element]}}

    async def upload_image(self, path: Path) -> str:
        """Upload an image file and return its attachment_id."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise PermanentError(f"cannot read image {path.name}") from exc
        files = {"file": (path.name, content, f"image/{image_suffix(path.name).lstrip('.')}")}
        data = await self._with_token(lambda token: self._post(UPLOAD_IMAGE_PATH, token, files=files))
        if not data.get("attachment_id"):
            raise PermanentError("Zalo upload returned no attachment_id")
        return str(data["attachment_id"])

    async def _with_token(self, call: ApiCall) -> dict[str, Any]:
        pair = await self.tokens.current()
        try:
            return await call(pair.access_token)
        except _TokenRejected:
            fresh = await self.tokens.refresh(stale_access_token=pair.access_token)
        try:
            return await call(fresh.access_token)
        except _TokenRejected as exc:
            raise TokenExpired("Zalo rejected the refreshed access token") from exc

    async def _post(self, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.post(self._api + path, headers={"access_token": token}, **kwargs)
        except httpx.HTTPError as exc:
            raise RetryLater(f"Zalo API unreachable: {type(exc).__name__}", NETWORK_RETRY_AFTER) from exc
        if response.status_code >= 500:
            raise RetryLater(f"Zalo API answered {response.status_code}", NETWORK_RETRY_AFTER)
        try:
            body = response.json()
        except ValueError as exc:
            raise RetryLater("Zalo API answered non-JSON", NETWORK_RETRY_AFTER) from exc
        return _data_or_raise(body)


def _data_or_raise(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PermanentError("Zalo API answered an unexpected shape")
    code = int(body.get("error") or 0)
    if code == 0:
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    reason = f"Zalo error {code}: {body.get('message', '')}"
    if code in TOKEN_ERRORS:
        raise _TokenRejected(reason)
    if code in RATE_LIMIT_ERRORS:
        raise RetryLater(reason, ZALO_RATE_LIMIT_RETRY_AFTER)
    if code in UNREACHABLE_ERRORS:
        raise Unreachable(reason)
    raise PermanentError(reason)


def render_text(text: str, buttons: Sequence[Button], hint: str = DEFAULT_CHOICE_HINT) -> str:
    """Render text plus buttons as numbered choices (Zalo CS text has no quick replies)."""
    if not buttons:
        return text
    choices = "\n".join(f"{number}. {button.title}" for number, button in enumerate(buttons, 1))
    return "\n\n".join(part for part in (text, choices, hint) if part)


def resolve_choice(reply: str, buttons: Sequence[Button]) -> str | None:
    """Map a reply to the last numbered choices (``2`` or the title) to its payload."""
    answer = reply.strip().rstrip(".").casefold()
    if re.fullmatch(r"\d{1,2}", answer) and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1].payload
    for button in buttons:
        if button.title.strip().casefold() == answer:
            return button.payload
    return None


def _split(text: str) -> list[str]:
    return [text[i : i + MAX_TEXT] for i in range(0, len(text), MAX_TEXT)]
