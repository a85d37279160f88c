"""Service-level workflow endpoints (service token): status, re-route, reply, note, duplicate.

The console adds user-authenticated endpoints over the same TicketWorkflow service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from backend.entrypoints.api.deps import ContainerDep, ServiceAuth
from backend.entrypoints.api.schemas import TicketStatusOut
from backend.services.commands import ChangeStatus, Reroute

router = APIRouter(prefix="/api/v1/tickets", tags=["service"], dependencies=[ServiceAuth])
Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


class StatusChangeIn(BaseModel):
    status: Code
    text: Text | None = None
    actor: Actor = "service"


class RerouteIn(BaseModel):
    reason: Text
    category: Code | None = None
    department: Code | None = None
    actor: Actor = "service"


class TextIn(BaseModel):
    text: Text
    actor: Actor = "service"


class DuplicateIn(BaseModel):
    original_code: Code
    actor: Actor = "service"


@router.post("/{code}/status", response_model=TicketStatusOut)
def change_status(code: str, body: StatusChangeIn, container: ContainerDep) -> TicketStatusOut:
    """Change the status (409 if the lifecycle forbids it; resolved/rejected need `text`)."""
    view = container.workflow.change_status(ChangeStatus(code, body.status, body.actor, body.text))
    return TicketStatusOut.of(view)


@router.post("/{code}/reroute", response_model=TicketStatusOut)
def reroute(code: str, body: RerouteIn, container: ContainerDep) -> TicketStatusOut:
    """Re-categorise and/or forward to another department, with a reason."""
    command = Reroute(code, body.actor, body.reason, body.category, body.department)
    return TicketStatusOut.of(container.workflow.reroute(command))


@router.post("/{code}/replies", response_model=TicketStatusOut)
def reply(code: str, body: TextIn, container: ContainerDep) -> TicketStatusOut:
    """Reply to the citizen (queued in the outbox)."""
    return TicketStatusOut.of(container.workflow.reply(code, body.actor, body.text))


@router.post("/{code}/notes", response_model=TicketStatusOut)
def add_note(code: str, body: TextIn, container: ContainerDep) -> TicketStatusOut:
    """Add an internal note (never sent to the citizen)."""
    return TicketStatusOut.of(container.workflow.add_note(code, body.actor, body.text))


@router.post("/{code}/duplicate-of", response_model=TicketStatusOut)
def mark_duplicate(code: str, body: DuplicateIn, container: ContainerDep) -> TicketStatusOut:
    """Mark the ticket a duplicate of `original_code`; its citizen follows the original."""
    view = container.workflow.mark_duplicate(code, body.original_code, body.actor)
    return TicketStatusOut.of(view)
