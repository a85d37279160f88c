"""Prometheus metrics: counters kept by each process, and gauges read from the database at scrape
time (the same figures whichever process or uvicorn worker is scraped)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from threading import Thread
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.gateway_models import InboundRecord
from backend.adapters.db.outbox_models import OutboxMessage
from backend.adapters.db.ticket_models import Ticket
from backend.domain.lifecycle import OPEN_STATUSES

logger = logging.getLogger(__name__)

MESSAGES_RECEIVED = Counter(
    "ioc_messages_received", "Citizen messages accepted by the gateway (webhooks, web chat)", ["channel"]
)
MESSAGES_FORWARDED = Counter("ioc_rasa_forwarded", "Messages sent to Rasa, by outcome", ["outcome"])
RASA_ROUND_TRIP = Histogram(
    "ioc_rasa_round_trip_seconds",
    "Time from sending a message to Rasa to having its replies",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
OUTBOX_STATES = ("pending", "sending", "failed", "dead", "undeliverable")
OPEN_VALUES = tuple(status.value for status in OPEN_STATUSES)


class DatabaseGauges(Collector):
    """Outbox backlog, the oldest pending inbound message and open tickets, read per scrape."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One query per family; a database error leaves the families out (the scrape still works)."""
        try:
            with self.session_factory() as session:
                yield from (self._outbox(session), self._oldest_inbound(session), *self._tickets(session))
        except Exception:
            logger.warning("metrics: database gauges not read", exc_info=True)

    def _outbox(self, session: Session) -> GaugeMetricFamily:
        labels = ["channel", "state"]
        family = GaugeMetricFamily("ioc_outbox_messages", "Outbox rows not delivered", labels=labels)
        rows = session.execute(
            select(OutboxMessage.channel, OutboxMessage.state, func.count())
            .where(OutboxMessage.state.in_(OUTBOX_STATES))
            .group_by(OutboxMessage.channel, OutboxMessage.state)
        )
        for channel, state, count in rows:
            family.add_metric([channel, state], count)
        return family

    def _oldest_inbound(self, session: Session) -> GaugeMetricFamily:
        pending = InboundRecord.state == "pending"
        oldest = session.scalar(select(func.min(InboundRecord.created_at)).where(pending))
        age = (self.clock() - oldest).total_seconds() if oldest else 0.0
        help_text = "Age of the oldest inbound message not yet answered"
        return GaugeMetricFamily("ioc_inbound_oldest_pending_age_seconds", help_text, age)

    def _tickets(self, session: Session) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        open_family = GaugeMetricFamily("ioc_tickets_open", "Open tickets", labels=["department"])
        overdue_family = GaugeMetricFamily(
            "ioc_tickets_overdue", "Open tickets past due", labels=["department"]
        )
        overdue = func.count().filter(Ticket.due_at < self.clock())
        rows = session.execute(
            select(Ticket.department_code, func.count(), overdue)
            .where(Ticket.status.in_(OPEN_VALUES))
            .group_by(Ticket.department_code)
        )
        for department, opened, late in rows:
            open_family.add_metric([department], opened)
            overdue_family.add_metric([department], late)
        return open_family, overdue_family


class _Together(Collector):
    def __init__(self, *collectors: Any) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Any]:
        for collector in self.collectors:
            yield from collector.collect()


def serve_metrics(host: str, port: int, gauges: DatabaseGauges) -> tuple[WSGIServer, Thread] | None:
    """Serve /metrics on host:port (this process's counters and the database gauges); None when
    off (port 0) or when the port is taken (another uvicorn worker of the same backend serves it)."""
    if not port:
        return None
    try:
        return start_http_server(port, addr=host, registry=_Together(REGISTRY, gauges))
    except OSError as exc:
        logger.warning("metrics not served on %s:%s: %s", host, port, exc)
        return None


def stop_metrics(server: tuple[WSGIServer, Thread] | None) -> None:
    """Stop a server started by `serve_metrics`."""
    if server is not None:
        server[0].shutdown()
        server[0].server_close()
