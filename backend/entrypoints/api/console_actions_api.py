"""The console's actions: status, reply, note, forward, duplicate, hand-off, bulk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.entrypoints.api.console_deps import ActionsDep, HandoffsDep
from backend.entrypoints.api.console_schemas import (
    BulkIn,
    DuplicateIn,
    RerouteIn,
    StatusIn,
    TextIn,
)
from backend.entrypoints.api.schemas import TicketStatusOut
from backend.entrypoints.api.security import Dispatcher, TicketWorker
from backend.services.console_actions import BulkCommand
from backend.services.handoff import HandoffState

router = APIRouter(prefix="/api/v1/console/tickets", tags=["console"])


@router.post("/{code}/status", response_model=TicketStatusOut)
def change_status(code: str, body: StatusIn, user: TicketWorker, actions: ActionsDep) -> TicketStatusOut:
    """Change the status with a reason (resolved: the answer; rejected: who is responsible)."""
    return TicketStatusOut.of(actions.change_status(user, code, body.status, body.reason))


@router.post("/{code}/replies", response_model=TicketStatusOut)
def reply(code: str, body: TextIn, user: TicketWorker, actions: ActionsDep) -> TicketStatusOut:
    """Reply to the citizen on their channel; the delivery state shows on the ticket page."""
    return TicketStatusOut.of(actions.reply(user, code, body.text))


@router.post("/{code}/notes", response_model=TicketStatusOut)
def add_note(code: str, body: TextIn, user: TicketWorker, actions: ActionsDep) -> TicketStatusOut:
    """Add an internal note (never sent to the citizen)."""
    return TicketStatusOut.of(actions.note(user, code, body.text))


@router.post("/{code}/reroute", response_model=TicketStatusOut)
def reroute(code: str, body: RerouteIn, user: TicketWorker, actions: ActionsDep) -> TicketStatusOut:
    """Forward to another department and/or re-categorise, with a reason (SLA recomputed)."""
    view = actions.reroute(user, code, body.reason, body.category, body.department)
    return TicketStatusOut.of(view)


@router.post("/{code}/duplicate-of", response_model=TicketStatusOut)
def mark_duplicate(code: str, body: DuplicateIn, user: TicketWorker, actions: ActionsDep) -> TicketStatusOut:
    """Mark the ticket a duplicate of another; its citizen follows the original."""
    return TicketStatusOut.of(actions.mark_duplicate(user, code, body.original_code))


@router.post("/{code}/handoff", response_model=HandoffState)
def take_over(code: str, user: TicketWorker, handoffs: HandoffsDep) -> HandoffState:
    """Take the citizen's conversation over from the bot."""
    return handoffs.take_over(user, code)


@router.delete("/{code}/handoff", response_model=HandoffState)
def hand_back(code: str, user: TicketWorker, handoffs: HandoffsDep) -> HandoffState:
    """Hand the conversation back to the bot."""
    return handoffs.hand_back(user, code)


@router.post("/bulk")
def bulk(body: BulkIn, user: Dispatcher, actions: ActionsDep) -> dict[str, Any]:
    """Dispatchers: assign a department and/or change the status of many tickets at once."""
    command = BulkCommand(tuple(body.codes), body.department, body.status, body.reason)
    results = actions.bulk(user, command)
    return {"results": [r.__dict__ for r in results], "ok": sum(r.ok for r in results)}
