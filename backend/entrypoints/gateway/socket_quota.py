"""Caps on open web chat sockets, per client address and in total, for one process."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SocketQuota:
    """Counts open sockets; ``admit`` refuses past WEBCHAT_SOCKETS_PER_IP or WEBCHAT_SOCKETS_TOTAL."""

    per_ip: int
    total: int
    _open: Counter[str] = field(default_factory=Counter)

    def admit(self, address: str) -> str | None:
        """Count a new socket from ``address``; the reason it is refused, or None."""
        if self._open.total() >= self.total:
            return f"too many open chat connections (at most {self.total})"
        if self._open[address] >= self.per_ip:
            return f"too many open chat connections from this address (at most {self.per_ip})"
        self._open[address] += 1
        return None

    def release(self, address: str) -> None:
        """Forget one closed socket of ``address``."""
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]
