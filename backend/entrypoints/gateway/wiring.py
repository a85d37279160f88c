"""Wire the gateway's parts (channels, Redis or in-process fan-out and limits, Rasa, delivery)
for the web process and the worker process alike."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis
import redis.asyncio
from sqlalchemy import Engine

from backend.adapters.db.engine import SessionFactory, make_engine
from backend.adapters.metrics import MESSAGES_RECEIVED
from backend.adapters.notifiers.senders import ChannelSenders
from backend.adapters.rasa_client import RasaClient
from backend.adapters.redis.fanout import AbstractFanOut, InProcessFanOut, RedisFanOut
from backend.adapters.redis.rate_limit import AbstractRateLimiter
from backend.bootstrap import Container, build_rate_limiter
from backend.entrypoints.gateway.webchat_guards import WebChatGuards, build_webchat_guards
from backend.services.conversation import ConversationProcessor
from backend.services.delivery import DeliveryService, RetryPolicy
from backend.services.group_commit import GroupCommit
from backend.services.inbound import Accepted, InboundService
from channels import InboundMessage

logger = logging.getLogger(__name__)


@dataclass
class Gateway:
    """Everything the webhooks, the web chat and the workers share in one process."""

    container: Container
    senders: ChannelSenders
    fanout: AbstractFanOut
    limiter: AbstractRateLimiter
    rasa: RasaClient
    inbound: InboundService
    delivery: DeliveryService
    processor: ConversationProcessor
    webchat: WebChatGuards
    engine: Engine | None = None  # the gateway's own pool (PostgreSQL), disposed at close
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    writer: GroupCommit[InboundMessage, Accepted] = field(init=False)

    def __post_init__(self) -> None:
        self.writer = GroupCommit(self.inbound.accept_many, committed=self.after_accept)

    async def receive(self, message: InboundMessage) -> Accepted:
        """Store the message (committed, shared with concurrent ones); its forwarding starts
        right after the COMMIT."""
        MESSAGES_RECEIVED.labels(message.channel.value).inc()
        return await self.writer.submit(message)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a coroutine in the background; errors are logged, never lost silently."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task failed", exc_info=task.exception())

    def after_accept(self, accepted: Accepted) -> None:
        """Deliver the gateway's notices and forward the conversation's pending messages."""
        if accepted.recipient is not None:
            self.spawn(self.delivery.deliver_to(*accepted.recipient))
        if accepted.new and accepted.state == "pending":
            self.spawn(self.processor.process(accepted.conversation_id, accepted.lease))

    async def start(self) -> None:
        """Open channel connections."""
        await self.senders.start()

    async def close(self) -> None:
        """Finish background work and close connections."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=10)
        for task in set(self.tasks):
            task.cancel()
        await self.webchat.watcher.close()
        await self.fanout.close()
        await self.rasa.close()
        await self.senders.close()
        if self.engine is not None:
            self.engine.dispose()


def build_gateway(container: Container) -> Gateway:
    """Build the gateway for the container's settings (Redis when REDIS_URL is set)."""
    settings = container.settings
    fanout: AbstractFanOut = InProcessFanOut()
    if settings.redis_url:
        prefix = settings.redis_key_prefix
        fanout = RedisFanOut(redis.asyncio.Redis.from_url(settings.redis_url), f"{prefix}chat:")
    limiter = build_rate_limiter(settings, settings.rate_limit_per_minute, "rate:")
    senders = ChannelSenders.from_settings(settings)
    sessions, engine = gateway_sessions(container)
    policy = RetryPolicy(
        settings.outbox_backoff_base, settings.outbox_backoff_max, settings.outbox_max_attempts
    )
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    delivery = DeliveryService(sessions, senders, fanout, container.clock, policy, lease)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout, settings.rasa_gateway_token)
    retry = RetryPolicy(
        settings.inbound_backoff_base, settings.inbound_backoff_max, settings.inbound_max_attempts
    )
    processor = ConversationProcessor(
        sessions, rasa, delivery, senders, container.media, container.clock,
        ack_timeout=settings.rasa_ack_timeout,
        lease=timedelta(seconds=settings.rasa_timeout + 60), retry=retry,
    )  # fmt: skip
    inbound = InboundService(sessions, limiter, container.clock, processor.store.lease_many)
    webchat = build_webchat_guards(settings, fanout, container.session_factory)
    return Gateway(container, senders, fanout, limiter, rasa, inbound, delivery, processor, webchat, engine)


def gateway_sessions(container: Container) -> tuple[SessionFactory, Engine | None]:
    """The gateway's sessions. On PostgreSQL they come from a small pool of the gateway's own: a
    bulkhead (a burst of console requests cannot hold the connections the webhooks need), and
    its connections keep their prepared statements. psycopg forgets every prepared statement of
    a connection at each ROLLBACK, which ends every read-only request of the console and the
    bots' API; on the shared pool the gateway's statements were therefore parsed and planned
    afresh each time (docs/benchmarks/gateway.md). The sessions come from the same sessionmaker, so the
    console's commit listeners still see the gateway's writes."""
    if container.engine.dialect.name != "postgresql":
        return container.session_factory, None
    engine = make_engine(container.settings.database_url, pool_size=5, max_overflow=10)
    return functools.partial(container.session_factory, bind=engine), engine
