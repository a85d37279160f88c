"""The gateway: channel webhooks and the web chat, mounted on the backend app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend.bootstrap import Container
from backend.entrypoints.gateway import webchat, webhooks
from backend.entrypoints.gateway.wiring import Gateway, build_gateway


def install_gateway(app: FastAPI, container: Container) -> None:
    """Mount the webhooks, the web chat and its static files; build the gateway at start-up."""
    app.include_router(webhooks.router)
    app.include_router(webchat.router)
    app.mount("/chat/static", StaticFiles(directory=webchat.STATIC_DIR), name="chat-static")
    app.state.gateway = build_gateway(container)


@asynccontextmanager
async def gateway_running(app: FastAPI) -> AsyncIterator[Gateway]:
    """Start the gateway's connections for the app's lifetime."""
    gateway: Gateway = app.state.gateway
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.close()
