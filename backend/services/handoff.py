"""Human take-over of a citizen's conversation: while active, the gateway stops forwarding the
citizen's messages to the bot and an official answers from the console.

The gateway asks `is_handed_off(session_factory, channel, channel_user_id)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.ticket_repository import SqlTicketRepository
from backend.adapters.db.user_models import ConversationHandoff
from backend.adapters.db.user_repository import SqlHandoffRepository
from backend.domain.access import Principal
from backend.domain.errors import Conflict
from backend.services.ticket_details import visible_ticket


@dataclass(frozen=True)
class HandoffState:
    active: bool
    official_username: str | None
    official_name: str | None
    ticket_code: str | None


def is_handed_off(session_factory: sessionmaker[Session], channel: str, channel_user_id: str) -> bool:
    """True while an official has taken this citizen's conversation over from the bot."""
    with session_factory() as session:
        row = SqlHandoffRepository(session).get(channel, channel_user_id)
        return bool(row and row.active)


class HandoffService:
    """Take over and hand back conversations, with audit entries on the ticket."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def take_over(self, principal: Principal, code: str) -> HandoffState:
        """The official answers the ticket's citizen from now on; the bot stays silent."""
        try:
            return self._take_over(principal, code)
        except IntegrityError:
            # a concurrent take-over inserted the conversation's row first: decide again on it
            return self._take_over(principal, code)

    def _take_over(self, principal: Principal, code: str) -> HandoffState:
        with self.session_factory() as session:
            ticket = visible_ticket(session, principal, code)
            handoffs = SqlHandoffRepository(session)
            row = handoffs.get(ticket.citizen_channel, ticket.citizen_user_id, for_update=True)
            if row is None:
                row = ConversationHandoff(
                    channel=ticket.citizen_channel, channel_user_id=ticket.citizen_user_id
                )
                handoffs.add(row)
            elif row.active and row.official_username != principal.username:
                raise Conflict(f"the conversation is already handled by {row.official_name}")
            row.active, row.ticket_id, row.started_at, row.ended_at = True, ticket.id, self.clock(), None
            row.official_username, row.official_name = principal.username, principal.full_name
            SqlTicketRepository(session).audit(ticket, principal.actor, "handoff_started")
            session.commit()
            return HandoffState(True, principal.username, principal.full_name, ticket.code)

    def hand_back(self, principal: Principal, code: str) -> HandoffState:
        """Give the conversation back to the bot."""
        with self.session_factory() as session:
            ticket = visible_ticket(session, principal, code)
            row = SqlHandoffRepository(session).get(
                ticket.citizen_channel, ticket.citizen_user_id, for_update=True
            )
            if row is None or not row.active:
                raise Conflict("the conversation is not taken over")
            row.active, row.ended_at = False, self.clock()
            SqlTicketRepository(session).audit(
                ticket, principal.actor, "handoff_ended", official=row.official_username
            )
            session.commit()
            return HandoffState(False, None, None, ticket.code)
