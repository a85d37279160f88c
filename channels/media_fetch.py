"""Fetch a citizen's image from a platform's CDN without trusting the URL the event carries: only
from allowed hosts (https unless an entry allows http), no redirects, an ``image/*`` answer, and
at most ``max_bytes`` (counted while the body streams in)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from channels.config import NETWORK_RETRY_AFTER
from channels.errors import PermanentError, RetryLater

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """Where images may come from: host names and their subdomains (``zdn.vn`` also allows
    ``photo.zdn.vn``) or exact IP addresses, over https unless an entry is written ``http://host``;
    and how large they may be."""

    hosts: tuple[str, ...]
    max_bytes: int = DEFAULT_MAX_BYTES

    def check(self, url: str) -> None:
        """Raise PermanentError unless ``url`` is on an allowed host with an allowed scheme."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(_allows(entry, parts.scheme, host) for entry in self.hosts):
            raise PermanentError(f"image URL not allowed: {parts.scheme}://{host} is not in the media hosts")


def _allows(entry: str, scheme: str, host: str) -> bool:
    prefix, _, suffix = entry.strip().lower().rpartition("://")
    suffix = suffix.removeprefix("*").removeprefix(".").rstrip("/")
    schemes = ("https", "http") if prefix == "http" else ("https",)
    if not suffix or scheme not in schemes:
        return False
    if _is_address(suffix) or _is_address(host):
        return host == suffix
    return host == suffix or host.endswith("." + suffix)


def _is_address(host: str) -> bool:
    """An IP address matches only itself (no "suffix" of an address)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def fetch_image(http: httpx.AsyncClient, url: str, policy: MediaPolicy) -> bytes:
    """The image's bytes; PermanentError when it can never be fetched, RetryLater when it may."""
    policy.check(url)
    try:
        async with http.stream("GET", url, follow_redirects=False) as response:
            _check(response, policy.max_bytes)
            return await _read(response, policy.max_bytes)
    except httpx.HTTPError as exc:
        raise RetryLater(f"image download failed: {type(exc).__name__}", NETWORK_RETRY_AFTER) from exc


def _check(response: httpx.Response, max_bytes: int) -> None:
    status = response.status_code
    if response.is_redirect or 300 <= status < 400:
        raise PermanentError(f"image URL answered a redirect (HTTP {status}); redirects are not followed")
    if status >= 500 or status == 429:
        raise RetryLater(f"image URL answered HTTP {status}", NETWORK_RETRY_AFTER)
    if status >= 400:
        raise PermanentError(f"image URL answered HTTP {status}")
    content_type = response.headers.get("content-type", "")
    if not content_type.lower().startswith("image/"):
        raise PermanentError(f"not an image: content type {content_type[:60] or 'missing'}")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise PermanentError(f"image larger than {max_bytes} bytes")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise PermanentError(f"image larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
