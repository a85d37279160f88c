"""Write outbox rows for a ticket's recipients inside the current unit of work."""

from __future__ import annotations

import uuid

from backend.adapters.db.models import Ticket
from backend.domain.notifications import NotificationTemplates, format_due
from backend.services.unit_of_work import AbstractUnitOfWork

# Channels we can push messages to. Others (Open311 clients) poll the API for status instead.
PUSH_CHANNELS = frozenset({"telegram", "zalo", "webchat"})


class OutboxNotifier:
    """Render a notification and queue it for the owner and every subscriber."""

    def __init__(self, templates: NotificationTemplates) -> None:
        self.templates = templates

    def notify(self, uow: AbstractUnitOfWork, ticket: Ticket, kind: str, **fields: str) -> None:
        """Queue `kind` about `ticket` for everyone who follows it."""
        self.notify_recipients(uow, ticket, kind, uow.tickets.recipients(ticket), **fields)

    def notify_recipients(
        self,
        uow: AbstractUnitOfWork,
        ticket: Ticket,
        kind: str,
        recipients: list[tuple[str, str]],
        **fields: str,
    ) -> None:
        """Queue `kind` about `ticket` for the given (channel, user id) pairs."""
        notification = self.templates.render(kind, ticket.code, **{**self._fields(ticket), **fields})
        for channel, user_id in recipients:
            if channel not in PUSH_CHANNELS:
                continue
            uow.outbox.add(
                ticket_id=ticket.id,
                channel=channel,
                channel_user_id=user_id,
                kind=kind,
                payload=notification.payload(),
                idempotency_key=f"{ticket.code}:{kind}:{uuid.uuid4().hex}",
            )

    @staticmethod
    def _fields(ticket: Ticket) -> dict[str, str]:
        return {
            "category": ticket.category.name_vi,
            "department": ticket.department.name,
            "due": format_due(ticket.due_at),
        }
