"""Web chat: the page, the embeddable loader, photo upload and the WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    File,
    Form,
    HTTPException,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from starlette.websockets import WebSocketState

from backend.adapters.db.gateway_models import ConversationMessage
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.domain.errors import InvalidInput, TooLarge
from backend.entrypoints.gateway.webhooks import GatewayDep
from backend.entrypoints.gateway.wiring import Gateway
from channels import Channel, MalformedPayload, parse_frame
from channels.webchat import SESSION_ID_RULE, is_session_id

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(prefix="/chat", tags=["web chat"])
POLL_WITHOUT_REDIS = 1.0
POLL_WITH_REDIS = 10.0


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def chat_page() -> FileResponse:
    """The web chat page (Vietnamese, phone width)."""
    return FileResponse(STATIC_DIR / "chat.html", media_type="text/html; charset=utf-8")


@router.get("/widget.js", include_in_schema=False)
def widget_loader() -> FileResponse:
    """One-script-tag loader: a floating button that opens the chat in an iframe."""
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript; charset=utf-8")


@router.post("/upload")
async def upload_photo(
    gateway: GatewayDep,
    file: Annotated[UploadFile, File()],
    session_id: Annotated[str, Form()],
) -> dict[str, str]:
    """Store a photo (JPEG/PNG/GIF/WebP, at most PHOTO_MAX_BYTES) and return its URL."""
    if not is_session_id(session_id):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, SESSION_ID_RULE)
    if await run_in_threadpool(gateway.limiter.verdict, f"upload:{session_id}") != "ok":
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many uploads; wait a minute")
    media = gateway.container.media
    data = await file.read(media.max_bytes + 1)
    try:
        stored = await run_in_threadpool(media.save, data)
    except TooLarge as exc:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(exc)) from exc
    except InvalidInput as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    return {"url": media.url_of(stored.path)}


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """Frames in (text, photo, location, postback); thread turns out, replayed after ``after``."""
    gateway: Gateway = websocket.app.state.gateway
    session_id = websocket.query_params.get("session_id", "")
    if not is_session_id(session_id):
        await websocket.close(code=1008, reason=SESSION_ID_RULE)
        return
    await websocket.accept()
    after = _int(websocket.query_params.get("after"))
    pusher = asyncio.create_task(_push(gateway, websocket, session_id, after))
    try:
        await _receive(gateway, websocket, session_id)
    except WebSocketDisconnect:
        pass
    finally:
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pusher


async def _receive(gateway: Gateway, websocket: WebSocket, session_id: str) -> None:
    while True:
        raw = await websocket.receive_text()
        reply = await _handle_frame(gateway, raw, session_id)
        await websocket.send_json(reply)


async def _handle_frame(gateway: Gateway, raw: str, session_id: str) -> dict[str, Any]:
    try:
        message = parse_frame(raw)
    except MalformedPayload as exc:
        return {"type": "error", "reason": str(exc)}
    if message.channel_user_id != session_id:
        return {"type": "error", "reason": "session_id does not match this connection"}
    accepted = await gateway.receive(message)
    await gateway.fanout.publish(session_id)
    client_id = message.message_id.split(":", 1)[1]
    return {"type": "ack", "client_message_id": client_id, "duplicate": not accepted.new}


async def _push(gateway: Gateway, websocket: WebSocket, session_id: str, after: int) -> None:
    interval = POLL_WITH_REDIS if gateway.container.settings.redis_url else POLL_WITHOUT_REDIS
    async with gateway.fanout.subscribe(session_id) as woken:
        while websocket.application_state == WebSocketState.CONNECTED:
            woken.clear()
            try:
                after = await _send_new_turns(gateway, websocket, session_id, after)
            except WebSocketDisconnect:
                return
            except Exception:  # a failed read must not silence the session: log and read again
                logger.warning("web chat push failed; retrying", exc_info=True)
                interval = POLL_WITHOUT_REDIS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), interval)


async def _send_new_turns(gateway: Gateway, websocket: WebSocket, session_id: str, after: int) -> int:
    """Send the thread turns after ``after``; return the id of the last one sent."""
    for turn in await run_in_threadpool(_turns_after, gateway, session_id, after):
        await websocket.send_json(frame_of(turn))
        after = turn.id
    return after


def _turns_after(gateway: Gateway, session_id: str, after: int) -> list[ConversationMessage]:
    with gateway.container.session_factory() as session:
        repo = SqlConversationRepository(session)
        conversation = repo.find(Channel.WEBCHAT.value, session_id)
        return list(repo.thread(conversation.id, after)) if conversation else []


def frame_of(turn: ConversationMessage) -> dict[str, Any]:
    """The browser frame of one thread turn."""
    return {
        "type": "message",
        "id": turn.id,
        "direction": turn.direction,
        "author": turn.author_kind,
        "text": turn.text,
        "buttons": turn.buttons or [],
        "image_url": turn.image_url,
    }


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


__all__ = ["frame_of", "router"]
