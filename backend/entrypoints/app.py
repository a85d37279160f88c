"""The FastAPI application: `create_app()`; `python -m backend.entrypoints.app` serves it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from backend.bootstrap import Container, bootstrap, build_prewarmer, prewarms_in_worker
from backend.entrypoints import ops
from backend.entrypoints.admin import mount_admin
from backend.entrypoints.api import (
    auth_api,
    bot_api,
    console_actions_api,
    console_api,
    deliveries_api,
    export_api,
    media_api,
    open311,
    service_api,
    stats_api,
    users_api,
)
from backend.entrypoints.api.admin_auth import ConsoleAdminAuth
from backend.entrypoints.api.errors import install_error_handlers
from backend.entrypoints.api_docs import install_docs
from backend.entrypoints.body_limit import BodyLimits, BodySizeLimit
from backend.entrypoints.console import console_running, install_console
from backend.entrypoints.gateway import gateway_running, install_gateway
from backend.entrypoints.ops import metrics_serving
from backend.entrypoints.security_headers import SecurityHeaders
from backend.logging_setup import configure_logging
from backend.services.figures_prewarm import refreshing
from backend.settings import Settings, get_settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the app; it runs no migration (run `cli migrate` before)."""
    container = container or bootstrap(settings or get_settings())
    in_process = not prewarms_in_worker(container.settings)  # the in-process cache: warmed here

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prewarmer = build_prewarmer(container) if in_process else None
        metrics = metrics_serving(container, container.settings.metrics_port)
        async with gateway_running(app), console_running(app), refreshing(prewarmer), metrics:
            gc.freeze()  # start-up objects stay: a full collection scans only newer ones (~90 ms → less)
            yield
        container.engine.dispose()

    app = FastAPI(
        title="IOC citizen reports API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.container = container
    app.add_middleware(BodySizeLimit, limits=BodyLimits.from_settings(container.settings))
    # Added last, so outermost: every answer carries the headers, a 413 too.
    app.add_middleware(SecurityHeaders, settings=container.settings)
    install_error_handlers(app)
    install_gateway(app, container)  # first: the webhooks are matched before the ~40 other routes
    app.include_router(bot_api.router)
    app.include_router(service_api.router)
    for console_router in (auth_api, users_api, export_api, console_api, console_actions_api, stats_api):
        app.include_router(console_router.router)
    app.include_router(deliveries_api.router)
    app.include_router(open311.router)
    mount_admin(app, container.engine, ConsoleAdminAuth(container))
    install_console(app, container)
    install_docs(app)
    app.include_router(media_api.router)

    app.include_router(ops.router)
    return app


def main() -> None:
    """Serve the app with uvicorn on BACKEND_HOST:BACKEND_PORT."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.backend_host,
        port=settings.backend_port,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep configure_logging's masking handlers
        ws_max_size=settings.webchat_max_frame_bytes,  # uvicorn's default lets a frame hold 16 MiB
        timeout_graceful_shutdown=5,  # open console event streams must not hold a shutdown
    )


if __name__ == "__main__":
    main()
