"""Citizen photos: one port, kept on the local disk (MEDIA_DIR) or in an S3-compatible bucket, and
served to signed-in officials through the backend at PUBLIC_BASE_URL/media/<name>."""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from backend.domain.errors import InvalidInput, TooLarge

MEDIA_PREFIX = "/media/"
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.[a-z0-9]{1,5}")
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


class MediaUnavailable(Exception):
    """The store could not be reached (a bucket down, a time-out): try again later."""


@dataclass(frozen=True)
class StoredFile:
    path: str  # the file's name in the store (flat: no folders)
    content_type: str
    size_bytes: int


def sniff_image(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a JPEG/PNG/GIF/WebP image, or InvalidInput."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    for signature, kind in SIGNATURES.items():
        if data.startswith(signature):
            return kind
    raise InvalidInput("photo must be a JPEG, PNG, GIF or WebP image")


class AbstractMediaStore(ABC):
    """Save, find and read citizen photos by name; names are random or content hashes."""

    def __init__(self, public_base_url: str, max_bytes: int) -> None:
        self.public_base_url = public_base_url.rstrip("/")
        self.max_bytes = max_bytes

    @abstractmethod
    def _put(self, name: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def _get(self, name: str) -> bytes | None: ...

    @abstractmethod
    def delete(self, relative: str) -> None:
        """Remove a stored file (used when its database row could not be written)."""

    def save(self, data: bytes) -> StoredFile:
        """Validate and store an uploaded image under a random name."""
        self._check_size(len(data))
        content_type, extension = sniff_image(data)
        name = f"{uuid.uuid4().hex}.{extension}"
        self._put(name, data, content_type)
        return StoredFile(name, content_type, len(data))

    def adopt(self, downloaded: Path) -> str:
        """Take in a photo a channel adapter downloaded into MEDIA_DIR; returns its name."""
        self._put(downloaded.name, downloaded.read_bytes(), "application/octet-stream")
        return downloaded.name

    def url_of(self, relative: str) -> str:
        """The URL of a stored file (served to officials by the backend)."""
        return f"{self.public_base_url}{MEDIA_PREFIX}{relative}"

    def find(self, url: str) -> StoredFile:
        """The stored file behind one of our /media URLs, or InvalidInput."""
        path = urlparse(url).path
        if not path.startswith(MEDIA_PREFIX) or not self._is_ours(url):
            raise InvalidInput(f"photo URL must point at {self.public_base_url}{MEDIA_PREFIX}")
        name = path[len(MEDIA_PREFIX) :]
        data = self.read(name)
        self._check_size(len(data))
        return StoredFile(name, sniff_image(data)[0], len(data))

    def read(self, name: str) -> bytes:
        """The bytes of a stored file, or InvalidInput when the name is not one of ours."""
        data = self._get(name) if SAFE_NAME.fullmatch(name) else None
        if data is None:
            raise InvalidInput(f"photo not found: {name}")
        return data

    def _is_ours(self, url: str) -> bool:
        parsed = urlparse(url)
        return not parsed.netloc or url.startswith(self.public_base_url + MEDIA_PREFIX)

    def _check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(f"photo too large: {size} bytes (limit {self.max_bytes})")
        if size == 0:
            raise InvalidInput("photo is empty")


class LocalMediaStore(AbstractMediaStore):
    """Photos as files under MEDIA_DIR: one host sees them (the default, `make run`)."""

    def __init__(self, media_dir: Path, public_base_url: str, max_bytes: int) -> None:
        super().__init__(public_base_url, max_bytes)
        self.media_dir = Path(media_dir)

    def adopt(self, downloaded: Path) -> str:
        """Channel downloads already sit in MEDIA_DIR: nothing to copy."""
        if downloaded.resolve().parent == self.media_dir.resolve():
            return downloaded.name
        return super().adopt(downloaded)

    def delete(self, relative: str) -> None:
        """Remove a stored file (used when its database row could not be written)."""
        (self.media_dir / relative).unlink(missing_ok=True)

    def _put(self, name: str, data: bytes, content_type: str) -> None:
        self.media_dir.mkdir(parents=True, exist_ok=True)
        (self.media_dir / name).write_bytes(data)

    def _get(self, name: str) -> bytes | None:
        file = self.media_dir / name
        return file.read_bytes() if file.is_file() else None
