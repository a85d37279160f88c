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
from backend.adapters.media_store import LocalMediaStore
from backend.adapters.redis.figures_cache import RedisFiguresCache
from backend.domain.duplicates import DuplicatePolicy
from backend.domain.notifications import NotificationTemplates
from backend.services.figures_cache import AbstractFiguresCache, InProcessFiguresCache
from backend.services.notifier import OutboxNotifier
from backend.services.reference_service import ReferenceLoader, load_notification_templates
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
    media: LocalMediaStore
    notifier: OutboxNotifier
    tickets: TicketService
    workflow: TicketWorkflow
    reference_loader: ReferenceLoader
    clock: Callable[[], datetime]
    figures_cache: AbstractFiguresCache | None = None


def build_figures_cache(settings: Settings) -> AbstractFiguresCache | None:
    """The dashboard's cache: Redis when REDIS_URL is set, in-process otherwise, None when off."""
    if settings.dashboard_cache_seconds <= 0:
        return None
    if not settings.redis_url:
        return InProcessFiguresCache()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
    return RedisFiguresCache(client, f"{settings.redis_key_prefix}dashboard:")


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Container:
    """Build the container for the given settings."""
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    def uow_factory() -> AbstractUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory)

    media = LocalMediaStore(settings.media_dir, settings.public_base_url, settings.photo_max_bytes)
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
    )
