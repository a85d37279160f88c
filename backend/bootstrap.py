"""The one place that wires concrete adapters into the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.base import utcnow
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from backend.adapters.media_store import AbstractMediaStore, LocalMediaStore
from backend.adapters.redis.figures_cache import RedisFiguresCache
from backend.adapters.redis.prewarm_lease import RedisLease
from backend.adapters.redis.rate_limit import (
    WINDOW_SECONDS,
    AbstractRateLimiter,
    InProcessRateLimiter,
    RedisRateLimiter,
)
from backend.adapters.s3_media_store import S3MediaStore, s3_client
from backend.domain.duplicates import DuplicatePolicy
from backend.domain.notifications import NotificationTemplates
from backend.services.figures_cache import AbstractFiguresCache, CachedStatistics, InProcessFiguresCache
from backend.services.figures_prewarm import DashboardPrewarmer, InProcessLease
from backend.services.notifier import OutboxNotifier
from backend.services.reference_service import ReferenceLoader, load_notification_templates
from backend.services.statistics import Statistics
from backend.services.ticket_service import DuplicateRules, TicketService
from backend.services.ticket_workflow import TicketWorkflow
from backend.services.unit_of_work import AbstractUnitOfWork
from backend.settings import Settings


@dataclass
class Container:
    """Everything a process needs, built once at start-up."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    uow_factory: Callable[[], AbstractUnitOfWork]
    media: AbstractMediaStore
    notifier: OutboxNotifier
    tickets: TicketService
    workflow: TicketWorkflow
    reference_loader: ReferenceLoader
    clock: Callable[[], datetime]
    figures_cache: AbstractFiguresCache | None = None
    login_throttle: AbstractRateLimiter | None = None  # failed log-ins per client address


def build_figures_cache(settings: Settings) -> AbstractFiguresCache | None:
    """The dashboard's cache: Redis when REDIS_URL is set, in-process otherwise, None when off."""
    if settings.dashboard_cache_seconds <= 0:
        return None
    if not settings.redis_url:
        return InProcessFiguresCache()
    return RedisFiguresCache(_redis(settings.redis_url), f"{settings.redis_key_prefix}dashboard:")


def build_media_store(settings: Settings) -> AbstractMediaStore:
    """Photos on the local disk (MEDIA_STORE=local) or in an S3-compatible bucket (s3)."""
    if settings.media_store == "s3":
        key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
        client = s3_client(settings.s3_endpoint_url, settings.s3_region, key_id, secret)
        return S3MediaStore(client, settings.s3_bucket, settings.public_base_url, settings.photo_max_bytes)
    return LocalMediaStore(settings.media_dir, settings.public_base_url, settings.photo_max_bytes)


def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def build_rate_limiter(
    settings: Settings, limit: int, namespace: str, window_seconds: int = WINDOW_SECONDS
) -> AbstractRateLimiter:
    """A limiter of `limit` per window: in Redis under `<prefix><namespace>` (shared by every
    replica) when REDIS_URL is set, else in this process."""
    if not settings.redis_url:
        return InProcessRateLimiter(limit, window_seconds)
    client = redis.Redis.from_url(settings.redis_url)
    return RedisRateLimiter(client, limit, f"{settings.redis_key_prefix}{namespace}", window_seconds)


def build_prewarmer(container: Container) -> DashboardPrewarmer | None:
    """The dashboard's refresh-ahead (DASHBOARD_PREWARM_SECONDS) on the container's cache, None when
    either is off. Its lease is in Redis when the cache is (one refresher among all processes)."""
    settings = container.settings
    if container.figures_cache is None or settings.dashboard_prewarm_seconds <= 0:
        return None
    lease = (
        RedisLease(_redis(settings.redis_url), f"{settings.redis_key_prefix}dashboard:prewarm-lease")
        if settings.redis_url
        else InProcessLease()
    )
    statistics = Statistics(container.session_factory, container.clock)
    cached = CachedStatistics(statistics, container.figures_cache, settings.dashboard_cache_seconds)
    period = settings.dashboard_prewarm_seconds
    return DashboardPrewarmer(cached, lease, container.session_factory, container.clock, period)


def prewarms_in_worker(settings: Settings) -> bool:
    """Where refresh-ahead runs: in the worker when the cache is in Redis (shared by every backend
    replica), in the backend process itself when the cache is in-process (`make run` without Redis)."""
    return bool(settings.redis_url)


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Container:
    """Build the container for the given settings."""
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    def uow_factory() -> AbstractUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory)

    media = build_media_store(settings)
    templates = NotificationTemplates(load_notification_templates(settings.reference_dir))
    notifier = OutboxNotifier(templates)
    rules = DuplicateRules(
        DuplicatePolicy(settings.duplicate_radius_m, settings.duplicate_min_similarity),
        timedelta(days=settings.duplicate_days),
    )
    tickets = TicketService(uow_factory, notifier, media, rules, clock, settings.photo_max_count)
    workflow = TicketWorkflow(uow_factory, notifier, clock)
    return Container(
        settings,
        engine,
        session_factory,
        uow_factory,
        media,
        notifier,
        tickets,
        workflow,
        ReferenceLoader(settings.reference_dir),
        clock,
        build_figures_cache(settings),
        build_rate_limiter(
            settings, settings.login_failures_per_ip, "login:ip:", settings.login_ip_window_minutes * 60
        ),
    )
