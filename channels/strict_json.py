"""Parse untrusted JSON request bodies: bounded nesting, valid Unicode without NUL only.

``json.loads`` raises RecursionError on deeply nested input and accepts escaped lone surrogates
("\\ud800"), which later fail to encode (UnicodeEncodeError) when stored or sent, and "\\u0000",
which PostgreSQL text cannot hold. Every failure here is a ValueError with the reason, so callers
answer 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
# a surrogate, escaped or as raw bytes (json.loads decodes bytes with surrogatepass), or a NUL
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\\u0000|\x00")


def loads(raw: bytes | str) -> Any:
    """Parse ``raw``; raise ValueError if it is not JSON, nests deeper than MAX_DEPTH or holds a
    lone surrogate or a NUL."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError(f"JSON nests deeper than {MAX_DEPTH} levels") from None
    if _needs_walk(data):
        _check(value)
    return value


def _needs_walk(data: bytes) -> bool:
    nesting = data.count(b"[") + data.count(b"{")
    return nesting > MAX_DEPTH or _SUSPECT.search(data) is not None


def _check(value: Any) -> None:
    """Walk the parsed value without recursion: depth and Unicode of every string."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, list | dict):
            if depth > MAX_DEPTH:
                raise ValueError(f"JSON nests deeper than {MAX_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("JSON text holds a NUL character (not storable)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("JSON text holds a lone surrogate (invalid Unicode)") from None
