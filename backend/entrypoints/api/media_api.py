"""Citizen photos, read by signed-in officials only (they are personal data, never public)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from backend.adapters.media_store import sniff_image
from backend.domain.errors import InvalidInput, NotFound
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import CurrentUser

router = APIRouter(prefix="/media", tags=["media"])


@router.get("/{name}")
async def photo(name: str, container: ContainerDep, _user: CurrentUser) -> Response:
    """A stored photo, from the local disk or the bucket (MEDIA_STORE), for an official."""
    try:
        data = await run_in_threadpool(container.media.read, name)
        content_type = sniff_image(data)[0]
    except InvalidInput as exc:
        raise NotFound(str(exc)) from exc
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)
