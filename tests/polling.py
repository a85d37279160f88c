"""Polling with a generous bound, for tests of background work (never a wall-clock assertion)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(check: Callable[[], Any], seconds: float, what: str, pause: float = 0.1) -> Any:
    """Poll until `check()` is truthy and return it; fail with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(pause)
    raise AssertionError(what)
