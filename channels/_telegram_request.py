"""python-telegram-bot's request object for the Bot API: plain methods (sendMessage,
answerCallbackQuery, getFile, downloads…) over kept-alive HTTP/1.1 (``channels.http1``), the
rest (uploads, other hosts, a proxy set in the environment) through HTTPXRequest as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from channels.http1 import Http1Error, Http1Origin, Http1Timeout, direct

FORM = "application/x-www-form-urlencoded"


class TelegramRequest(HTTPXRequest):
    """HTTPXRequest, except that a call to ``base_url``'s origin without a file is one write
    on a kept-alive connection and one parsed response."""

    def __init__(self, base_url: str, read_timeout: float = 5.0, connect_timeout: float = 5.0) -> None:
        super().__init__(read_timeout=read_timeout, connect_timeout=connect_timeout)
        agent = (("User-Agent", self.USER_AGENT),)
        origin = Http1Origin(base_url, read_timeout, connect_timeout, headers=agent)
        self._origin = origin if direct(base_url) else None

    async def shutdown(self) -> None:
        """Close every connection."""
        if self._origin is not None:
            await self._origin.aclose()
        await super().shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request; (status, body)."""
        origin, parts = self._origin, urlsplit(url)
        if origin is None or f"{parts.scheme}://{parts.netloc}" != origin.origin or _has_files(request_data):
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        timeout = read_timeout if isinstance(read_timeout, int | float) else None
        try:
            response = await origin.request(method, target, body, FORM if body else None, timeout)
        except Http1Timeout as exc:
            raise TimedOut(str(exc)) from exc
        except Http1Error as exc:
            raise NetworkError(str(exc)) from exc
        return response.status, response.body


def _has_files(request_data: RequestData | None) -> bool:
    return request_data is not None and request_data.contains_files
