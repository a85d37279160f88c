"""The bot-facing API: create, look up, list and rate tickets; upload photos."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, UploadFile, status

from backend.entrypoints.api.deps import ContainerDep, ServiceAuth
from backend.entrypoints.api.schemas import (
    PhotoOut,
    RatingIn,
    RatingOut,
    TicketCreatedOut,
    TicketCreateIn,
    TicketListOut,
    TicketStatusOut,
)
from backend.services.commands import Rate

router = APIRouter(prefix="/api/v1", tags=["bot"], dependencies=[ServiceAuth])
# printable ASCII, 1-200 characters: an empty key would be stored and clash with the next one
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", pattern=r"^[!-~]{1,200}$")]


@router.post("/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketCreatedOut)
def create_ticket(
    body: TicketCreateIn, container: ContainerDep, response: Response, key: IdempotencyKey = None
) -> TicketCreatedOut:
    """File a citizen's report; a retry with the same Idempotency-Key returns the same ticket (200)."""
    result = container.tickets.create(body.to_command(key))
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return TicketCreatedOut.of(result.view)


@router.get("/tickets/{code}", response_model=TicketStatusOut)
def ticket_status(code: str, channel: str, channel_user_id: str, container: ContainerDep) -> TicketStatusOut:
    """The public status of a ticket, only for the citizen who owns it (404 otherwise)."""
    return TicketStatusOut.of(container.tickets.citizen_ticket(code, channel, channel_user_id))


@router.get("/citizens/{channel}/{channel_user_id}/tickets", response_model=TicketListOut)
def citizen_tickets(channel: str, channel_user_id: str, container: ContainerDep) -> TicketListOut:
    """A citizen's tickets, newest first."""
    views = container.tickets.citizen_tickets(channel, channel_user_id)
    return TicketListOut(items=[TicketStatusOut.of(v) for v in views])


@router.post("/tickets/{code}/rating", response_model=RatingOut)
def rate_ticket(code: str, body: RatingIn, container: ContainerDep) -> RatingOut:
    """Record the owner's 1-5 rating of a resolved or closed ticket."""
    command = Rate(code, body.channel, body.channel_user_id, body.score, body.comment)
    view = container.tickets.rate(command)
    return RatingOut(code=view.code, score=view.rating or body.score)


@router.post("/tickets/{code}/photos", status_code=status.HTTP_201_CREATED, response_model=PhotoOut)
def upload_photo(code: str, file: UploadFile, container: ContainerDep) -> PhotoOut:
    """Attach a photo (JPEG/PNG/GIF/WebP, size-limited) to a ticket (multipart field `file`)."""
    data = file.file.read(container.settings.photo_max_bytes + 1)
    return PhotoOut(url=container.tickets.add_photo(code, data))
