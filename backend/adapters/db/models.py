"""All ORM models, importable from one place."""

from backend.adapters.db.base import Base, utcnow
from backend.adapters.db.console_indexes import CONSOLE_INDEXES  # noqa: F401  (registers them)
from backend.adapters.db.gateway_models import (
    Conversation,
    ConversationMessage,
    DeliveryReceipt,
    InboundRecord,
)
from backend.adapters.db.outbox_models import OutboxMessage
from backend.adapters.db.reference_models import (
    CalendarDay,
    Category,
    Department,
    PlaceAlias,
    RoutingRuleRow,
    Setting,
    Town,
    Unit,
)
from backend.adapters.db.ticket_models import (
    AuditEntry,
    Subscription,
    Ticket,
    TicketCodeCounter,
    TicketMessage,
    TicketPhoto,
)
from backend.adapters.db.user_models import ConversationHandoff, User
from backend.adapters.db.zalo_token_store import ZaloTokenRow

__all__ = [
    "AuditEntry",
    "Base",
    "CalendarDay",
    "Category",
    "Conversation",
    "ConversationMessage",
    "ConversationHandoff",
    "DeliveryReceipt",
    "Department",
    "InboundRecord",
    "OutboxMessage",
    "PlaceAlias",
    "RoutingRuleRow",
    "Setting",
    "Subscription",
    "Ticket",
    "TicketCodeCounter",
    "TicketMessage",
    "TicketPhoto",
    "Town",
    "Unit",
    "User",
    "ZaloTokenRow",
    "utcnow",
]
