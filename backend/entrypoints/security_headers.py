"""Security headers on every HTTP response: Content-Security-Policy, X-Content-Type-Options,
Referrer-Policy and, where no site may frame the page, X-Frame-Options for older browsers.

Every page loads its scripts, styles and fonts from this origin, never inline (the console,
the dashboard, the web chat, /admin and /docs), so `script-src 'self'` holds everywhere. Style
attributes stay allowed (`style-src-attr`): the dashboard's bars and sqladmin's widgets set them.
Only the web chat (/chat) may be framed, by the sites CHAT_FRAME_ANCESTORS names (the widget).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.entrypoints.same_origin import origin_of
from backend.settings import Settings

CHAT_PREFIX = "/chat"
FRAME_OPTIONS = {"'none'": "DENY", "'self'": "SAMEORIGIN"}


def content_security_policy(frame_ancestors: str, media_origin: str) -> str:
    """The policy of our pages; images may also come from the media URLs' origin."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": f"'self' data: blob: {media_origin}".strip(),
        "connect-src": f"'self' {media_origin}".strip(),  # the web chat fetches its own photos
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(frame_ancestors: str, media_origin: str) -> list[tuple[str, str]]:
    """The headers of one kind of page (framed by `frame_ancestors`)."""
    headers = [
        ("Content-Security-Policy", content_security_policy(frame_ancestors, media_origin)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
    frame_options = FRAME_OPTIONS.get(frame_ancestors.strip())
    return headers + [("X-Frame-Options", frame_options)] if frame_options else headers


def _is_chat(path: str) -> bool:
    return path == CHAT_PREFIX or path.startswith(CHAT_PREFIX + "/")


class SecurityHeaders:
    """ASGI middleware adding the headers to each HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        media = origin_of(settings.public_base_url)
        self.pages = security_headers("'none'", media)
        self.chat = security_headers(settings.chat_frame_ancestors, media)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to its response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.chat if _is_chat(scope["path"]) else self.pages

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
