"""Zalo OA tokens: where the single-use refresh token lives, and refreshing it exactly once."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from channels.config import NETWORK_RETRY_AFTER
from channels.errors import RetryLater, TokenExpired

EXPIRY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True, slots=True, repr=False)
class TokenPair:
    """An OA access token with its (single-use) refresh token."""

    access_token: str
    refresh_token: str
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        """Tell whether the access token is (about to be) expired."""
        return self.expires_at is not None and now >= self.expires_at - EXPIRY_MARGIN

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        expires = self.expires_at.isoformat() if self.expires_at else None
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_at": expires}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenPair:
        """Build from ``to_json``'s output."""
        expires = data.get("expires_at")
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )

    def __repr__(self) -> str:
        return f"TokenPair(expires_at={self.expires_at!r})"


class TokenSlot(Protocol):
    """The stored pair as seen under the refresh lock."""

    async def get(self) -> TokenPair | None:
        """Return the stored pair, or None if nothing is stored yet."""

    async def save(self, pair: TokenPair) -> None:
        """Replace the stored pair."""


class AbstractTokenStore(abc.ABC):
    """Port: keeps the current token pair. ``lock`` serialises refreshes of all users of the
    store and yields the slot to read and replace the pair through while it is held. The default
    lock is in-process only and yields the store itself, so a store shared by several hosts (the
    database) overrides it: its slot reads and writes in the transaction that holds the lock."""

    def __init__(self) -> None:
        self._refresh_lock = asyncio.Lock()

    @abc.abstractmethod
    async def get(self) -> TokenPair | None:
        """Return the stored pair, or None if nothing is stored yet."""

    @abc.abstractmethod
    async def save(self, pair: TokenPair) -> None:
        """Replace the stored pair atomically."""

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[TokenSlot]:
        """Hold the refresh lock; yield the slot to re-read and replace the pair under it."""
        async with self._refresh_lock:
            yield self


class InMemoryTokenStore(AbstractTokenStore):
    """Keeps the pair in memory (tests, single process)."""

    def __init__(self, initial: TokenPair | None = None) -> None:
        super().__init__()
        self._pair = initial

    async def get(self) -> TokenPair | None:
        """Return the pair."""
        return self._pair

    async def save(self, pair: TokenPair) -> None:
        """Replace the pair."""
        self._pair = pair


class FileTokenStore(AbstractTokenStore):
    """Keeps the pair in a JSON file (``make run``, one host); a flock serialises processes."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path

    async def get(self) -> TokenPair | None:
        """Read the pair, or None if the file does not exist yet."""
        return read_token_file(self._path)

    async def save(self, pair: TokenPair) -> None:
        """Write the pair durably: a synced temporary file renamed over the old one."""
        await asyncio.to_thread(_write_durably, self._path, json.dumps(pair.to_json()))

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[TokenSlot]:
        """Hold the in-process lock and an exclusive flock on ``<path>.lock``."""
        async with super().lock() as slot:
            fd = await asyncio.to_thread(self._flock)
            try:
                yield slot
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _flock(self) -> int:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path.with_name(self._path.name + ".lock"), os.O_CREAT | os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd


def read_token_file(path: Path) -> TokenPair | None:
    """The pair a ``FileTokenStore`` at ``path`` keeps, or None if the file does not exist."""
    try:
        return TokenPair.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        return None


def _write_durably(path: Path, text: str) -> None:
    """Replace ``path`` so that a power loss leaves the old or the new content, never neither:
    the temporary file reaches the disk before the rename, and the rename before we return."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class ZaloTokens:
    """Hands out the current access token and refreshes it at most once per stale token."""

    def __init__(
        self, store: AbstractTokenStore, http: httpx.AsyncClient, *, oauth_base_url: str,
        app_id: str, app_secret: str, initial: TokenPair | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._http = http
        self._url = oauth_base_url.rstrip("/") + "/v4/oa/access_token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._initial = initial

    async def current(self) -> TokenPair:
        """Return a usable pair, refreshing first if the stored one has expired."""
        pair = await self._stored(self._store)
        if pair.expired(datetime.now(UTC)):
            return await self.refresh(stale_access_token=pair.access_token)
        return pair

    async def refresh(self, stale_access_token: str) -> TokenPair:
        """Replace ``stale_access_token``; if another caller already did, return theirs."""
        async with self._store.lock() as slot:
            pair = await self._stored(slot)
            if pair.access_token != stale_access_token:
                return pair
            fresh = await self._exchange(pair.refresh_token)
            await slot.save(fresh)
            return fresh

    async def _stored(self, source: TokenSlot) -> TokenPair:
        pair = await source.get() or self._initial
        if pair is None:
            raise TokenExpired("no Zalo token stored")
        return pair

    async def _exchange(self, refresh_token: str) -> TokenPair:
        form = {"refresh_token": refresh_token, "app_id": self._app_id,
                "grant_type": "refresh_token"}  # fmt: skip
        try:
            response = await self._http.post(self._url, data=form, headers={"secret_key": self._app_secret})
        except httpx.HTTPError as exc:
            raise RetryLater(f"Zalo OAuth unreachable: {type(exc).__name__}", NETWORK_RETRY_AFTER) from exc
        if response.status_code >= 500:
            raise RetryLater(f"Zalo OAuth answered {response.status_code}", NETWORK_RETRY_AFTER)
        return _pair_from(_json_or_none(response))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _pair_from(body: Any) -> TokenPair:
    if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
        reason = body.get("error_name", "no token") if isinstance(body, dict) else "bad answer"
        raise TokenExpired(f"Zalo refused to refresh the token: {reason}")
    expires_in = int(body["expires_in"]) if str(body.get("expires_in", "")).isdigit() else 0
    expires_at = datetime.now(UTC) + timedelta(seconds=expires_in) if expires_in else None
    return TokenPair(str(body["access_token"]), str(body["refresh_token"]), expires_at)
