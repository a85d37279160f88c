"""The ticket page and the officials' actions on it (forms posting back, then redirecting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.domain.errors import DomainError, NotFound
from backend.domain.lifecycle import ALLOWED_TRANSITIONS, STATUS_VI, Status
from backend.entrypoints.api.console_api import reference_lists
from backend.entrypoints.api.console_deps import ActionsDep, DetailsDep, HandoffsDep
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import TicketWorker
from backend.entrypoints.console.messages import vietnamese_error
from backend.entrypoints.console.rendering import render
from backend.services.canned_responses import canned_responses
from backend.services.ticket_details import ContactView, TicketDetails

router = APIRouter(prefix="/console/tickets", include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=100)]


def _transitions(current: str) -> list[tuple[str, str]]:
    targets = ALLOWED_TRANSITIONS[Status(current)] - {Status.DUPLICATE}
    order = list(Status)
    return [(s.value, STATUS_VI[s]) for s in sorted(targets, key=order.index)]


def ticket_page(
    request: Request,
    user: Principal,
    details: TicketDetails,
    container: Any,
    code: str,
    error: str | None = None,
    contact: ContactView | None = None,
) -> Response:
    """Render the ticket page (404 page when the official may not see the ticket)."""
    try:
        detail = details.detail(user, code)
    except (NotFound, DomainError):
        return render(request, "error.html", user, status_code=404, message="Không tìm thấy phản ánh.")
    category = detail.ticket.category
    reference = reference_lists(user, container)
    return render(
        request,
        "ticket.html",
        user,
        status_code=422 if error else 200,
        error=error,
        d=detail,
        t=detail.ticket,
        contact=contact,
        transitions=_transitions(detail.ticket.status),
        canned=canned_responses(container.settings.reference_dir, category)[category],
        reference=reference,
        departments_vi={d["code"]: d["name"] for d in reference["departments"]},
        categories_vi={c["code"]: c["name"] for c in reference["categories"]},
        is_dispatcher=user.role == Role.DISPATCHER,
    )


@dataclass(frozen=True)
class TicketContext:
    """The request, the official and the ticket code every ticket route works with."""

    request: Request
    code: str
    user: Principal
    details: TicketDetails
    container: Container

    def page(self, error: str | None = None, contact: ContactView | None = None) -> Response:
        """The ticket page, optionally with an error or the revealed contact."""
        return ticket_page(self.request, self.user, self.details, self.container, self.code, error, contact)

    def act(self, action: Callable[[], object], done: str) -> Response:
        """Run an action; back to the page with a confirmation, or the page with the error."""
        try:
            action()
        except DomainError as error:
            return self.page(vietnamese_error(error))
        return RedirectResponse(f"/console/tickets/{self.code}?ok={done}", status.HTTP_303_SEE_OTHER)


def ticket_context(
    request: Request, code: str, user: TicketWorker, details: DetailsDep, container: ContainerDep
) -> TicketContext:
    """Dependency: dispatchers and officers only (officers' department is checked by the services)."""
    return TicketContext(request, code, user, details, container)


WorkedTicket = Annotated[TicketContext, Depends(ticket_context)]


@router.get("/{code}", response_class=HTMLResponse)
def show(ticket: WorkedTicket) -> Response:
    """The whole ticket: thread, photos, location, SLA, deliveries, history."""
    return ticket.page()


@router.post("/{code}/contact", response_class=HTMLResponse)
def reveal_contact(ticket: WorkedTicket) -> Response:
    """Show the citizen's contact (handling department and dispatchers; audited)."""
    try:
        contact = ticket.details.contact(ticket.user, ticket.code)
    except DomainError as error:
        return ticket.page(vietnamese_error(error))
    return ticket.page(contact=contact)


@router.post("/{code}/reply", response_class=HTMLResponse)
def reply(ticket: WorkedTicket, actions: ActionsDep, text: Text = "") -> Response:
    """Reply to the citizen on their channel (through the outbox)."""
    return ticket.act(lambda: actions.reply(ticket.user, ticket.code, text), "replied")


@router.post("/{code}/note", response_class=HTMLResponse)
def note(ticket: WorkedTicket, actions: ActionsDep, text: Text = "") -> Response:
    """Add an internal note (never sent to the citizen)."""
    return ticket.act(lambda: actions.note(ticket.user, ticket.code, text), "noted")


@router.post("/{code}/status", response_class=HTMLResponse)
def change_status(
    ticket: WorkedTicket,
    actions: ActionsDep,
    status_: Annotated[str, Form(alias="status", max_length=30)] = "",
    reason: Text = "",
) -> Response:
    """Move the ticket along its lifecycle with a reason."""
    if not reason.strip():
        return ticket.page("Vui lòng nhập lý do đổi trạng thái.")
    return ticket.act(
        lambda: actions.change_status(ticket.user, ticket.code, status_, reason.strip()), "status"
    )


@router.post("/{code}/reroute", response_class=HTMLResponse)
def reroute(
    ticket: WorkedTicket, actions: ActionsDep, reason: Text = "", department: Short = "", category: Short = ""
) -> Response:
    """Forward to another department and/or re-categorise, with a reason."""
    run = lambda: actions.reroute(ticket.user, ticket.code, reason, category or None, department or None)  # noqa: E731
    return ticket.act(run, "rerouted")


@router.post("/{code}/duplicate", response_class=HTMLResponse)
def mark_duplicate(ticket: WorkedTicket, actions: ActionsDep, original: Short = "") -> Response:
    """Mark the ticket a duplicate of another one."""
    run = lambda: actions.mark_duplicate(ticket.user, ticket.code, original.strip().upper())  # noqa: E731
    return ticket.act(run, "duplicate")


@router.post("/{code}/takeover", response_class=HTMLResponse)
def take_over(ticket: WorkedTicket, handoffs: HandoffsDep) -> Response:
    """Take the citizen's conversation over from the bot."""
    return ticket.act(lambda: handoffs.take_over(ticket.user, ticket.code), "taken_over")


@router.post("/{code}/handback", response_class=HTMLResponse)
def hand_back(ticket: WorkedTicket, handoffs: HandoffsDep) -> Response:
    """Give the conversation back to the bot."""
    return ticket.act(lambda: handoffs.hand_back(ticket.user, ticket.code), "handed_back")
