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
    Request,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.websockets import WebSocketState

from backend.adapters.db.gateway_models import ConversationMessage
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.domain.errors import InvalidInput, TooLarge
from backend.entrypoints.client_address import client_host
from backend.entrypoints.gateway.webhooks import GatewayDep
from backend.entrypoints.gateway.wiring import Gateway
from backend.services.gateway_texts import GATEWAY_TEXTS
from channels import Channel, MalformedPayload, parse_frame
from channels.webchat import SESSION_ID_RULE, is_session_id

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(prefix="/chat", tags=["web chat"])
RETRY_SECONDS = 1.0


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
    request: Request,
    gateway: GatewayDep,
    file: Annotated[UploadFile, File()],
    session_id: Annotated[str, Form()],
) -> dict[str, str]:
    """Store a photo (JPEG/PNG/GIF/WebP, at most PHOTO_MAX_BYTES) and return its URL."""
    if not is_session_id(session_id):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, SESSION_ID_RULE)
    if not await _within_address_rate(gateway, client_host(request.scope)):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, GATEWAY_TEXTS["rate_limited"])
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
    address = client_host(websocket.scope)
    refused = gateway.webchat.sockets.admit(address)
    if refused is not None:
        await _refuse(websocket, address, refused)
        return
    try:
        await _converse(gateway, websocket, session_id, address)
    finally:
        gateway.webchat.sockets.release(address)


async def _refuse(websocket: WebSocket, address: str, reason: str) -> None:
    """429 before the upgrade (or a 1008 close where the server cannot answer HTTP there)."""
    logger.warning("web chat socket from %s refused: %s", address, reason)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        denial = JSONResponse({"detail": reason}, status.HTTP_429_TOO_MANY_REQUESTS)
        await websocket.send_denial_response(denial)
    else:
        await websocket.close(code=1008, reason=reason)


async def _converse(gateway: Gateway, websocket: WebSocket, session_id: str, address: str) -> None:
    await websocket.accept()
    after = _int(websocket.query_params.get("after"))
    pusher = asyncio.create_task(_push(gateway, websocket, session_id, after))
    try:
        await _receive(gateway, websocket, session_id, address)
    except WebSocketDisconnect:
        pass
    finally:
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pusher


async def _receive(gateway: Gateway, websocket: WebSocket, session_id: str, address: str) -> None:
    while True:
        raw = await websocket.receive_text()
        if await _within_address_rate(gateway, address):
            reply = await _handle_frame(gateway, raw, session_id)
        else:
            reply = {"type": "error", "reason": GATEWAY_TEXTS["rate_limited"]}
        await websocket.send_json(reply)


async def _within_address_rate(gateway: Gateway, address: str) -> bool:
    """Count a frame or upload from the address; False past WEBCHAT_MESSAGES_PER_IP_PER_MINUTE."""
    verdict = await run_in_threadpool(gateway.webchat.messages.verdict, address)
    if verdict == "limited_first":
        logger.warning("web chat messages from %s refused for the rest of the minute: over the rate", address)
    return verdict == "ok"


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
    """Send new turns each time the thread watcher or a wake-up says there are some."""
    async with gateway.webchat.watcher.watch(session_id, after) as watch:
        while websocket.application_state == WebSocketState.CONNECTED:
            watch.woken.clear()
            try:
                watch.after = await _send_new_turns(gateway, websocket, session_id, watch.after)
            except WebSocketDisconnect:
                return
            except Exception:  # a failed read must not silence the session: log and read again
                logger.warning("web chat push failed; retrying", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await watch.woken.wait()


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
