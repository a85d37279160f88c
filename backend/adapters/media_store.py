"""Photos stored as files under MEDIA_DIR and served at PUBLIC_BASE_URL/media/."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from backend.domain.errors import InvalidInput, TooLarge

MEDIA_PREFIX = "/media/"
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the media directory
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


class LocalMediaStore:
    """Save and find citizen photos on the local disk."""

    def __init__(self, media_dir: Path, public_base_url: str, max_bytes: int) -> None:
        self.media_dir = Path(media_dir)
        self.public_base_url = public_base_url.rstrip("/")
        self.max_bytes = max_bytes

    def save(self, data: bytes) -> StoredFile:
        """Validate and store an uploaded image under a random name."""
        self._check_size(len(data))
        content_type, extension = sniff_image(data)
        relative = f"{uuid.uuid4().hex}.{extension}"
        self.media_dir.mkdir(parents=True, exist_ok=True)
        (self.media_dir / relative).write_bytes(data)
        return StoredFile(relative, content_type, len(data))

    def url_of(self, relative: str) -> str:
        """The public URL of a stored file."""
        return f"{self.public_base_url}{MEDIA_PREFIX}{relative}"

    def find(self, url: str) -> StoredFile:
        """The stored file behind one of our /media URLs, or InvalidInput."""
        path = urlparse(url).path
        if not path.startswith(MEDIA_PREFIX) or not self._is_ours(url):
            raise InvalidInput(f"photo URL must point at {self.public_base_url}{MEDIA_PREFIX}")
        file = self._inside_media_dir(path[len(MEDIA_PREFIX) :])
        data = file.read_bytes()
        self._check_size(len(data))
        return StoredFile(str(file.relative_to(self.media_dir.resolve())), sniff_image(data)[0], len(data))

    def delete(self, relative: str) -> None:
        """Remove a stored file (used when its database row could not be written)."""
        (self.media_dir / relative).unlink(missing_ok=True)

    def _is_ours(self, url: str) -> bool:
        parsed = urlparse(url)
        return not parsed.netloc or url.startswith(self.public_base_url + MEDIA_PREFIX)

    def _inside_media_dir(self, relative: str) -> Path:
        root = self.media_dir.resolve()
        file = (root / relative).resolve()
        if root not in file.parents or not file.is_file():
            raise InvalidInput(f"photo not found: {relative}")
        return file

    def _check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(f"photo too large: {size} bytes (limit {self.max_bytes})")
        if size == 0:
            raise InvalidInput("photo is empty")
