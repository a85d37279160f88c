"""A queue of injected failures: "answer the next N matching calls with this error"."""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

Spec = TypeVar("Spec")


@dataclass
class _Pending(Generic[Spec]):
    remaining: int
    spec: Spec
    targets: Collection[str]


class Faults(Generic[Spec]):
    """Thread-safe FIFO of failures, each for the next ``count`` calls to ``targets``."""

    def __init__(self) -> None:
        self._pending: list[_Pending[Spec]] = []
        self._lock = threading.Lock()

    def add(self, count: int, spec: Spec, targets: Collection[str]) -> None:
        """Fail the next ``count`` calls to any of ``targets`` with ``spec``."""
        with self._lock:
            self._pending.append(_Pending(count, spec, targets))

    def take(self, target: str) -> Spec | None:
        """Return the failure due for this call to ``target``, if any."""
        with self._lock:
            for pending in self._pending:
                if target in pending.targets and pending.remaining > 0:
                    pending.remaining -= 1
                    return pending.spec
            return None
