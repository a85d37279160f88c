"""The officials' web console (/console) and the IOC dashboard (/console/dashboard)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.bootstrap import Container
from backend.entrypoints.console import (
    auth_pages,
    dashboard_pages,
    delivery_pages,
    events,
    inbox_pages,
    ticket_events,
    ticket_pages,
)
from backend.entrypoints.console.live import ConsoleFeed, build_feed, publish_on_commit
from backend.entrypoints.console.rendering import HERE, render

PAGE_ERRORS = {
    status.HTTP_403_FORBIDDEN: "Tài khoản của anh/chị không có quyền truy cập trang này.",
    status.HTTP_404_NOT_FOUND: "Không tìm thấy trang hoặc phản ánh.",
}


async def console_http_error(request: Request, error: Exception) -> Response:
    """On console pages: log-in redirect for 401, a Vietnamese page for 403/404; JSON elsewhere."""
    assert isinstance(error, StarletteHTTPException)
    path = request.url.path
    streams = path.startswith(("/console/static", "/console/events")) or path.endswith("/events")
    if not path.startswith("/console") or streams:
        return await http_exception_handler(request, error)
    if error.status_code == status.HTTP_401_UNAUTHORIZED:
        target = quote(path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return RedirectResponse(f"/console/login?next={target}", status.HTTP_303_SEE_OTHER)
    message = PAGE_ERRORS.get(error.status_code) or str(error.detail)
    return render(request, "error.html", None, status_code=error.status_code, message=message)


def install_console(app: FastAPI, container: Container) -> None:
    """Mount the console pages, their static files and the live-update feed."""
    pages = (auth_pages, inbox_pages, events, dashboard_pages, delivery_pages, ticket_events, ticket_pages)
    for module in pages:
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(StarletteHTTPException, console_http_error)
    feed = build_feed(container.settings)
    publish_on_commit(container.session_factory, feed)
    app.state.console_feed = feed


@asynccontextmanager
async def console_running(app: FastAPI) -> AsyncIterator[ConsoleFeed]:
    """Close the live feed's connections when the app stops."""
    feed: ConsoleFeed = app.state.console_feed
    try:
        yield feed
    finally:
        await feed.close()
