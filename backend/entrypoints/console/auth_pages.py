"""Log-in and log-out pages; the session itself is the console API's (security.py)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import (
    AuthDep,
    CurrentUser,
    end_session,
    read_session,
    secure_cookies,
    start_session,
)
from backend.entrypoints.client_address import client_host
from backend.entrypoints.console.rendering import render
from backend.services.auth_service import LoginFailed, LoginThrottled

router = APIRouter(prefix="/console", include_in_schema=False)
LOGIN_CSRF_COOKIE = "ioc_login_csrf"
BAD_FORM = "Phiên đăng nhập đã hết hạn. Vui lòng thử lại."


def home_of(principal: Principal) -> str:
    """Where an official lands after log-in: leaders and administrators on the dashboard."""
    if principal.role in (Role.LEADER, Role.ADMINISTRATOR):
        return "/console/dashboard"
    return "/console"


def safe_next(target: str | None) -> str | None:
    """Only console paths are followed after log-in (no open redirects)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return None


def _login_page(
    request: Request, container: Container, error: str | None, username: str = "", code: int = 200
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        None,
        status_code=code,
        error=error,
        login_csrf=token,
        username=username,
        next=safe_next(request.query_params.get("next")) or "",
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(container),
        path="/console",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, container: ContainerDep) -> Response:
    """The log-in form (already signed in: go home)."""
    if read_session(request, container) is not None and request.query_params.get("ok") != "logged_out":
        return RedirectResponse("/console", status.HTTP_303_SEE_OTHER)
    return _login_page(request, container, None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    container: ContainerDep,
    auth: AuthDep,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password; on success start the session and go to the console."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        return _login_page(request, container, BAD_FORM, username, status.HTTP_403_FORBIDDEN)
    try:
        principal, epoch = auth.authenticate(username, password, client_host(request.scope))
    except LoginFailed as error:
        return _login_page(request, container, str(error), username, status.HTTP_401_UNAUTHORIZED)
    except LoginThrottled as error:
        return _login_page(request, container, str(error), username, status.HTTP_429_TOO_MANY_REQUESTS)
    response = RedirectResponse(safe_next(next) or home_of(principal), status.HTTP_303_SEE_OTHER)
    start_session(response, container, principal, epoch)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(user: CurrentUser, auth: AuthDep) -> Response:
    """End every session of the account (CSRF-checked form)."""
    auth.logout_everywhere(user.id)
    response = RedirectResponse("/console/login?ok=logged_out", status.HTTP_303_SEE_OTHER)
    end_session(response)
    return response
