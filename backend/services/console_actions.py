"""Officials' actions from the console: the core TicketWorkflow behind the access rules.

Every action first checks that the principal may work the ticket (officers: their department
only, as NotFound otherwise); the workflow then writes the change, its audit entry and the
citizen's outbox rows in one transaction, with the official named as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from backend.domain.access import Principal, Role, require
from backend.domain.errors import DomainError, InvalidInput
from backend.services.commands import ChangeStatus, Reroute
from backend.services.ticket_details import visible_ticket
from backend.services.ticket_workflow import TicketWorkflow
from backend.services.views import TicketView

MAX_BULK = 200


@dataclass(frozen=True)
class BulkResult:
    code: str
    ok: bool
    status: str | None = None
    department: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class BulkCommand:
    """Assign a department (with a reason) and/or change the status of many tickets."""

    codes: tuple[str, ...]
    department: str | None = None
    status: str | None = None
    reason: str | None = None


class ConsoleActions:
    def __init__(self, session_factory: sessionmaker[Session], workflow: TicketWorkflow) -> None:
        self.session_factory = session_factory
        self.workflow = workflow

    def change_status(self, principal: Principal, code: str, status: str, reason: str | None) -> TicketView:
        """Move the ticket along its lifecycle with a reason (the answer or referral when needed)."""
        self._guard(principal, code)
        return self.workflow.change_status(ChangeStatus(code, status, principal.actor, reason))

    def reply(self, principal: Principal, code: str, text: str) -> TicketView:
        """Reply to the citizen on their channel (outbox)."""
        self._guard(principal, code)
        return self.workflow.reply(code, principal.actor, text)

    def note(self, principal: Principal, code: str, text: str) -> TicketView:
        """Add an internal note."""
        self._guard(principal, code)
        return self.workflow.add_note(code, principal.actor, text)

    def reroute(
        self, principal: Principal, code: str, reason: str, category: str | None, department: str | None
    ) -> TicketView:
        """Forward to another department and/or re-categorise, with a reason."""
        self._guard(principal, code)
        return self.workflow.reroute(Reroute(code, principal.actor, reason, category, department))

    def mark_duplicate(self, principal: Principal, code: str, original_code: str) -> TicketView:
        """Mark the ticket a duplicate of another; both must be visible to the official (else NotFound)."""
        self._guard(principal, code)
        self._guard(principal, original_code)
        return self.workflow.mark_duplicate(code, original_code, principal.actor)

    def bulk(self, principal: Principal, command: BulkCommand) -> list[BulkResult]:
        """Dispatchers only: apply one change to each ticket; each succeeds or fails on its own."""
        require(principal, frozenset({Role.DISPATCHER}), "run bulk actions")
        if not command.codes or len(command.codes) > MAX_BULK:
            raise InvalidInput(f"give between 1 and {MAX_BULK} ticket codes")
        if not (command.department or command.status):
            raise InvalidInput("give a department, a status, or both")
        return [self._bulk_one(principal, code, command) for code in dict.fromkeys(command.codes)]

    def _bulk_one(self, principal: Principal, code: str, command: BulkCommand) -> BulkResult:
        try:
            view = None
            if command.department:
                view = self.reroute(principal, code, command.reason or "", None, command.department)
            if command.status:
                view = self.change_status(principal, code, command.status, command.reason)
        except DomainError as error:
            return BulkResult(code, False, error=str(error))
        assert view is not None
        return BulkResult(code, True, view.status, view.department.code)

    def _guard(self, principal: Principal, code: str) -> None:
        with self.session_factory() as session:
            visible_ticket(session, principal, code)
