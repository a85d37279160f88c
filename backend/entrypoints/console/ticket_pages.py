"""The ticket page and the officials' actions on it (forms posting back, then redirecting)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
        is_dispatcher=user.role == Role.DISPATCHER,
    )


@router.get("/{code}", response_class=HTMLResponse)
def show(request: Request, code: str, user: TicketWorker, details: DetailsDep, container: ContainerDep) -> Response:
    """The whole ticket: thread, photos, location, SLA, deliveries, history."""
    return ticket_page(request, user, details, container, code)


@router.post("/{code}/contact", response_class=HTMLResponse)
def reveal_contact(
    request: Request, code: str, user: TicketWorker, details: DetailsDep, container: ContainerDep
) -> Response:
    """Show the citizen's contact (handling department and dispatchers; audited)."""
    try:
        contact = details.contact(user, code)
    except DomainError as error:
        return ticket_page(request, user, details, container, code, vietnamese_error(error))
    return ticket_page(request, user, details, container, code, contact=contact)


def _act(
    request: Request, user: Principal, details: DetailsDep, container: Any, code: str,
    action: Callable[[], object], done: str,
) -> Response:  # fmt: skip
    try:
        action()
    except DomainError as error:
        return ticket_page(request, user, details, container, code, vietnamese_error(error))
    return RedirectResponse(f"/console/tickets/{code}?ok={done}", status.HTTP_303_SEE_OTHER)


@router.post("/{code}/reply", response_class=HTMLResponse)
def reply(
    request: Request, code: str, user: TicketWorker, actions: ActionsDep, details: DetailsDep,
    container: ContainerDep, text: Text = "",
) -> Response:  # fmt: skip
    """Reply to the citizen on their channel (through the outbox)."""
    return _act(request, user, details, container, code, lambda: actions.reply(user, code, text), "replied")


@router.post("/{code}/note", response_class=HTMLResponse)
def note(
    request: Request, code: str, user: TicketWorker, actions: ActionsDep, details: DetailsDep,
    container: ContainerDep, text: Text = "",
) -> Response:  # fmt: skip
    """Add an internal note (never sent to the citizen)."""
    return _act(request, user, details, container, code, lambda: actions.note(user, code, text), "noted")


@router.post("/{code}/status", response_class=HTMLResponse)
def change_status(
    request: Request, code: str, user: TicketWorker, actions: ActionsDep, details: DetailsDep,
    container: ContainerDep, status_: Annotated[str, Form(alias="status", max_length=30)] = "",
    reason: Text = "",
) -> Response:  # fmt: skip
    """Move the ticket along its lifecycle with a reason."""
    if not reason.strip():
        return ticket_page(request, user, details, container, code, "Vui lòng nhập lý do đổi trạng thái.")
    run = lambda: actions.change_status(user, code, status_, reason.strip())  # noqa: E731
    return _act(request, user, details, container, code, run, "status")


@router.post("/{code}/reroute", response_class=HTMLResponse)
def reroute(
    request: Request, code: str, user: TicketWorker, actions: ActionsDep, details: DetailsDep,
    container: ContainerDep, reason: Text = "", department: Short = "", category: Short = "",
) -> Response:  # fmt: skip
    """Forward to another department and/or re-categorise, with a reason."""
    run = lambda: actions.reroute(user, code, reason, category or None, department or None)  # noqa: E731
    return _act(request, user, details, container, code, run, "rerouted")


@router.post("/{code}/duplicate", response_class=HTMLResponse)
def mark_duplicate(
    request: Request, code: str, user: TicketWorker, actions: ActionsDep, details: DetailsDep,
    container: ContainerDep, original: Short = "",
) -> Response:  # fmt: skip
    """Mark the ticket a duplicate of another one."""
    run = lambda: actions.mark_duplicate(user, code, original.strip().upper())  # noqa: E731
    return _act(request, user, details, container, code, run, "duplicate")


@router.post("/{code}/takeover", response_class=HTMLResponse)
def take_over(
    request: Request, code: str, user: TicketWorker, handoffs: HandoffsDep, details: DetailsDep,
    container: ContainerDep,
) -> Response:  # fmt: skip
    """Take the citizen's conversation over from the bot."""
    return _act(request, user, details, container, code, lambda: handoffs.take_over(user, code), "taken_over")


@router.post("/{code}/handback", response_class=HTMLResponse)
def hand_back(
    request: Request, code: str, user: TicketWorker, handoffs: HandoffsDep, details: DetailsDep,
    container: ContainerDep,
) -> Response:  # fmt: skip
    """Give the conversation back to the bot."""
    return _act(request, user, details, container, code, lambda: handoffs.hand_back(user, code), "handed_back")
