"""Citizen photos, read by signed-in officials, Open311 key holders and the web chat citizen who
sent them (personal data, never public)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.media_store import MEDIA_PREFIX, SAFE_NAME, sniff_image
from backend.bootstrap import Container
from backend.domain.errors import InvalidInput, NotFound
from backend.entrypoints.api.console_deps import auth_service
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.open311 import FullAccess
from backend.entrypoints.api.security import NotAuthenticated, read_session
from channels import Channel
from channels.webchat import is_session_id

router = APIRouter(prefix="/media", tags=["media"])


CHAT_SESSION_HEADER = "X-Chat-Session"


def photo_reader(request: Request, name: str, container: ContainerDep, key_holder: FullAccess) -> None:
    """Admit a signed-in official, a client with an Open311 API key (X-Api-Key), or the web chat
    session that sent this photo (X-Chat-Session); 401 otherwise."""
    if key_holder or _official(request, container):
        return
    chat_session = request.headers.get(CHAT_SESSION_HEADER, "")
    if not (is_session_id(chat_session) and _sent_by(container, chat_session, name)):
        raise NotAuthenticated()


def _official(request: Request, container: Container) -> bool:
    session = read_session(request, container)
    return (
        session is not None and auth_service(container).principal(session.user_id, session.epoch) is not None
    )


def _sent_by(container: Container, chat_session: str, name: str) -> bool:
    if not SAFE_NAME.fullmatch(name):
        return False
    with container.session_factory() as session:
        repo = SqlConversationRepository(session)
        return repo.sent_photo(Channel.WEBCHAT.value, chat_session, f"{MEDIA_PREFIX}{name}")


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
