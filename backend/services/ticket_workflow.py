"""Officials' use cases: change status, re-route, reply, note, mark duplicate.

Each runs in one unit of work: the change, its audit entry and the citizen's outbox rows are
committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backend.adapters.db.models import Ticket
from backend.domain.errors import Conflict, InvalidInput
from backend.domain.gazetteer import Place
from backend.domain.lifecycle import Status, check_transition, is_open
from backend.services.assignment import assign, category_or_error, department_or_error, due_at
from backend.services.commands import ChangeStatus, Reroute
from backend.services.lookup import find_ticket, view_with_reply
from backend.services.notifier import OutboxNotifier
from backend.services.unit_of_work import AbstractUnitOfWork
from backend.services.views import TicketView

# Which outbox message a status change sends (None: the citizen is not told).
STATUS_NOTIFICATION = {
    Status.ASSIGNED: "assigned",
    Status.IN_PROGRESS: "in_progress",
    Status.RESOLVED: "resolved",
    Status.REJECTED: "rejected",
}


class TicketWorkflow:
    """State changes made by officials (console, or the service API)."""

    def __init__(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        notifier: OutboxNotifier,
        clock: Callable[[], datetime],
    ) -> None:
        self.uow_factory = uow_factory
        self.notifier = notifier
        self.clock = clock

    def change_status(self, command: ChangeStatus) -> TicketView:
        """Move a ticket along its lifecycle; resolved needs an answer, rejected a referral."""
        if command.status == Status.DUPLICATE:
            raise InvalidInput("use mark-duplicate to mark a ticket as a duplicate")
        with self.uow_factory() as uow:
            ticket = self._get(uow, command.code)
            target = check_transition(ticket.status, command.status, command.text)
            self._apply_status(uow, ticket, target, command)
            uow.commit()
            return self._view(uow, ticket)

    def reroute(self, command: Reroute) -> TicketView:
        """Re-categorise and/or forward: re-route, recompute the SLA, record why."""
        if not command.reason.strip():
            raise InvalidInput("a reason is required to re-route a ticket")
        if not (command.category or command.department):
            raise InvalidInput("give a new category, a new department, or both")
        with self.uow_factory() as uow:
            ticket = self._get(uow, command.code)
            if not is_open(ticket.status):
                raise Conflict(f"a {ticket.status} ticket cannot be re-routed")
            before = (ticket.category_code, ticket.department_code)
            self._apply_reroute(uow, ticket, command)
            uow.tickets.add(ticket)  # flush: foreign keys follow the new relationships
            uow.tickets.audit(
                ticket,
                command.actor,
                "rerouted",
                reason=command.reason,
                from_category=before[0],
                to_category=ticket.category_code,
                from_department=before[1],
                to_department=ticket.department_code,
                due_at=ticket.due_at.isoformat(),
            )
            if ticket.department_code != before[1]:
                self.notifier.notify(uow, ticket, "assigned")
            uow.commit()
            return self._view(uow, ticket)

    def reply(self, code: str, actor: str, text: str) -> TicketView:
        """An official's reply, sent to the citizen (and subscribers)."""
        text = _required(text, "reply text")
        with self.uow_factory() as uow:
            ticket = self._get(uow, code)
            uow.tickets.add_message(ticket, "official", text, actor)
            uow.tickets.audit(ticket, actor, "replied", text=text)
            self.notifier.notify(uow, ticket, "official_reply", text=text)
            uow.commit()
            return self._view(uow, ticket)

    def add_note(self, code: str, actor: str, text: str) -> TicketView:
        """An internal note; the citizen never sees it."""
        text = _required(text, "note text")
        with self.uow_factory() as uow:
            ticket = self._get(uow, code)
            uow.tickets.add_message(ticket, "internal_note", text, actor)
            uow.tickets.audit(ticket, actor, "noted")
            uow.commit()
            return self._view(uow, ticket)

    def mark_duplicate(self, code: str, original_code: str, actor: str) -> TicketView:
        """Link a ticket to its original; its citizen then follows the original's updates."""
        with self.uow_factory() as uow:
            ticket = self._get(uow, code)
            original = self._root(uow, self._get(uow, original_code))
            if original.id == ticket.id:
                raise InvalidInput("a ticket cannot duplicate itself")
            check_transition(ticket.status, Status.DUPLICATE)
            recipients = uow.tickets.recipients(ticket)
            ticket.status, ticket.duplicate_of = Status.DUPLICATE.value, original
            for channel, user_id in recipients:
                uow.tickets.subscribe(original, channel, user_id, via=ticket)
            uow.tickets.audit(ticket, actor, "marked_duplicate", original=original.code)
            uow.tickets.audit(original, actor, "duplicate_linked", duplicate=ticket.code)
            self.notifier.notify_recipients(uow, ticket, "duplicate", recipients, original=original.code)
            uow.commit()
            return self._view(uow, ticket)

    def _apply_status(
        self, uow: AbstractUnitOfWork, ticket: Ticket, target: Status, command: ChangeStatus
    ) -> None:
        now, previous = self.clock(), ticket.status
        ticket.status = target.value
        if target == Status.RESOLVED:
            ticket.resolution_text, ticket.resolved_at = command.text, now
        elif target == Status.REJECTED:
            ticket.referral_text = command.text
        elif target == Status.CLOSED:
            ticket.closed_at = now
        elif target == Status.IN_PROGRESS and previous == Status.RESOLVED:
            ticket.resolved_at = None
        if target in (Status.RESOLVED, Status.REJECTED) and command.text:
            uow.tickets.add_message(ticket, "official", command.text, command.actor)
        uow.tickets.audit(
            ticket,
            command.actor,
            "status_changed",
            text=command.text,
            **{"from": previous, "to": target.value},
        )
        kind = STATUS_NOTIFICATION.get(target)
        if kind:
            self.notifier.notify(uow, ticket, kind, text=command.text or "")

    def _apply_reroute(self, uow: AbstractUnitOfWork, ticket: Ticket, command: Reroute) -> None:
        now = self.clock()
        if command.category:
            ticket.category = category_or_error(uow, command.category)
        if command.department:
            ticket.department = department_or_error(uow, command.department)
            ticket.due_at = due_at(uow, ticket.category, now)
        else:
            place = Place(ticket.town_code, ticket.unit_code) if ticket.town_code else None
            assignment = assign(uow, ticket.category, place, now)
            ticket.department, ticket.routing_match = assignment.department, assignment.matched
            ticket.due_at = assignment.due_at
        if ticket.status == Status.NEW:
            ticket.status = Status.ASSIGNED.value

    @staticmethod
    def _get(uow: AbstractUnitOfWork, code: str) -> Ticket:
        return find_ticket(uow, code, lock=True)

    @staticmethod
    def _root(uow: AbstractUnitOfWork, ticket: Ticket) -> Ticket:
        while ticket.duplicate_of is not None:
            ticket = ticket.duplicate_of
        return ticket

    def _view(self, uow: AbstractUnitOfWork, ticket: Ticket) -> TicketView:
        return view_with_reply(uow, ticket, self.clock())


def _required(text: str | None, what: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(f"{what} is required")
    return text.strip()
