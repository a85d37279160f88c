"""What keeps a flood of web chat sockets cheap: caps on open sockets, a per-address message
rate, and one thread watcher per process instead of a database read per socket."""

from __future__ import annotations

from dataclasses import dataclass

from backend.adapters.db.engine import SessionFactory
from backend.adapters.redis.fanout import AbstractFanOut
from backend.adapters.redis.rate_limit import AbstractRateLimiter
from backend.bootstrap import build_rate_limiter
from backend.entrypoints.gateway.socket_quota import SocketQuota
from backend.entrypoints.gateway.thread_watch import ThreadWatcher, newest_webchat_turns
from backend.settings import Settings

LOOK_WITHOUT_REDIS = 1.0  # the worker's writes reach a socket only through the watcher
LOOK_WITH_REDIS = 10.0  # pub/sub carries every write; the watcher only covers a lost wake-up


@dataclass
class WebChatGuards:
    """The web chat's limits and its thread watcher (one of each per process)."""

    sockets: SocketQuota
    messages: AbstractRateLimiter  # per client address, besides the per-session limit
    watcher: ThreadWatcher


def build_webchat_guards(
    settings: Settings, fanout: AbstractFanOut, sessions: SessionFactory
) -> WebChatGuards:
    """The guards for these settings (the per-address rate in Redis when REDIS_URL is set)."""
    period = LOOK_WITH_REDIS if settings.redis_url else LOOK_WITHOUT_REDIS
    return WebChatGuards(
        SocketQuota(settings.webchat_sockets_per_ip, settings.webchat_sockets_total),
        build_rate_limiter(settings, settings.webchat_messages_per_ip_per_minute, "rate:ip:"),
        ThreadWatcher(fanout, newest_webchat_turns(sessions), period),
    )
