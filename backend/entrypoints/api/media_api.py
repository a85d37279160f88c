"""Citizen photos, read by signed-in officials and Open311 key holders only (personal data,
never public)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from backend.adapters.media_store import sniff_image
from backend.domain.errors import InvalidInput, NotFound
from backend.entrypoints.api.console_deps import auth_service
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.open311 import FullAccess
from backend.entrypoints.api.security import NotAuthenticated, read_session

router = APIRouter(prefix="/media", tags=["media"])


def photo_reader(request: Request, container: ContainerDep, key_holder: FullAccess) -> None:
    """Admit a signed-in official or a client with an Open311 API key (X-Api-Key); 401 otherwise."""
    if key_holder:
        return
    session = read_session(request, container)
    if session is None or auth_service(container).principal(session.user_id, session.epoch) is None:
        raise NotAuthenticated()


@router.get("/{name}", dependencies=[Depends(photo_reader)])
async def photo(name: str, container: ContainerDep) -> Response:
    """A stored photo, from the local disk or the bucket (MEDIA_STORE)."""
    try:
        data = await run_in_threadpool(container.media.read, name)
        content_type = sniff_image(data)[0]
    except InvalidInput as exc:
        raise NotFound(str(exc)) from exc
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)
