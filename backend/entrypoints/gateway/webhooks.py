"""Telegram and Zalo webhooks: verify, parse, store, answer; forwarding happens after."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status

from backend.entrypoints.gateway.wiring import Gateway
from channels import (
    TELEGRAM_SECRET_HEADER,
    ZALO_SIGNATURE_HEADER,
    InboundMessage,
    InvalidSignature,
    MalformedPayload,
    strict_json,
)
from channels.telegram import parse_update

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["gateway"])


def get_gateway(request: Request) -> Gateway:
    """The gateway built at start-up."""
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


@router.post("/telegram")
async def telegram_webhook(request: Request) -> dict[str, Any]:
    """Receive a Telegram Update (secret token checked in constant time)."""
    gateway = get_gateway(request)  # not a dependency: FastAPI's resolution is per request
    telegram = gateway.senders.telegram
    if telegram is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "Telegram channel is off: TELEGRAM_BOT_TOKEN is not set"
        )
    with _rejections():
        telegram.verify(request.headers.get(TELEGRAM_SECRET_HEADER))
    try:
        message = parse_update(_json(await request.body()))
    except MalformedPayload as exc:  # acknowledged: Telegram redelivers anything but a 2xx
        logger.warning("ignored a malformed Telegram update: %s", exc)
        return {"ok": True, "ignored": True, "reason": str(exc)}
    return await _accept(gateway, message)


@router.post("/zalo")
async def zalo_webhook(request: Request) -> dict[str, Any]:
    """Receive a Zalo OA event (X-ZEvent-Signature checked)."""
    gateway = get_gateway(request)
    zalo = gateway.senders.zalo
    if zalo is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Zalo channel is off: the ZALO_* settings are not set")
    with _rejections():
        message = zalo.parse(await request.body(), request.headers.get(ZALO_SIGNATURE_HEADER))
    return await _accept(gateway, message)


async def _accept(gateway: Gateway, message: InboundMessage | None) -> dict[str, Any]:
    if message is None:
        return {"ok": True, "ignored": True}
    accepted = await gateway.receive(message)
    return {"ok": True, "duplicate": not accepted.new}


def _json(body: bytes) -> Any:
    try:
        return strict_json.loads(body)
    except ValueError as exc:
        raise MalformedPayload(f"body is not JSON: {exc}") from exc


@contextlib.contextmanager
def _rejections() -> Iterator[None]:
    """Turn the channels' typed errors into 401 / 400 with the reason."""
    try:
        yield
    except InvalidSignature as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
    except MalformedPayload as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
