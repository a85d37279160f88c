"""Cross-site request forgery guard for apps whose forms carry no CSRF token (the sqladmin /admin):
a state-changing request must come from one of our own pages, as its Origin header (or, when a
browser sends none, its Referer) says. Browsers set Origin on every POST, PUT, PATCH and DELETE
and a page cannot forge it; a forged cross-site form carries the other site's origin."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED = "Yêu cầu bị từ chối: thao tác phải được gửi từ chính trang quản trị. Vui lòng tải lại trang."


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-case ('' when it has none)."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _own_origin(scope: Scope, headers: Headers) -> str:
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return f"{scheme}://{headers.get('host', '')}".lower()


def _claimed_origin(headers: Headers) -> str:
    origin = headers.get("origin", "")
    return origin_of(origin) if origin and origin != "null" else origin_of(headers.get("referer", ""))


class SameOriginWrites:
    """Refuse (403) a state-changing request whose Origin/Referer is not ours."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = frozenset(origin_of(url) for url in trusted) - {""}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass safe methods and same-origin writes through; answer 403 to the others."""
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or self._same_origin(scope):
            await self.app(scope, receive, send)
            return
        logger.warning("cross-origin %s %s refused", scope["method"], scope.get("path"))
        await JSONResponse({"detail": REFUSED}, status_code=403)(scope, receive, send)

    def _same_origin(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        claimed = _claimed_origin(headers)
        return bool(claimed) and (claimed in self.trusted or claimed == _own_origin(scope, headers))
