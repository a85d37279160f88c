"""Store downloaded media under content-addressed names (a re-delivery stores nothing twice)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"})


def image_suffix(name: str, default: str = ".jpg") -> str:
    """Return a safe image file suffix taken from a file name or URL path."""
    suffix = Path(name.split("?", 1)[0]).suffix.lower()
    return suffix if suffix in IMAGE_SUFFIXES else default


def store_media(media_dir: Path, data: bytes, suffix: str) -> Path:
    """Write ``data`` atomically to ``media_dir`` and return the stored path."""
    media_dir.mkdir(parents=True, exist_ok=True)
    target = media_dir / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    if target.exists():
        return target
    fd, tmp = tempfile.mkstemp(dir=media_dir, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)
    return target


def mask_id(value: str) -> str:
    """Mask a citizen's id or phone number for logs, keeping two characters at each end."""
    if len(value) <= 4:
        return "***"
    return f"{value[:2]}***{value[-2:]}"
