"""Console log-in and log-out (session cookie + CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, StringConstraints

from backend.domain.access import ROLE_VI, Principal
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.security import (
    AuthDep,
    CurrentUser,
    csrf_token,
    end_session,
    start_session,
)
from backend.entrypoints.client_address import client_host
from backend.services.auth_service import LoginFailed, LoginThrottled

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class MeOut(BaseModel):
    username: str
    full_name: str
    role: str
    role_vi: str
    department_code: str | None
    csrf_token: str

    @classmethod
    def of(cls, principal: Principal, token: str) -> MeOut:
        """Build from the principal and the session's CSRF token."""
        return cls(
            username=principal.username,
            full_name=principal.full_name,
            role=principal.role.value,
            role_vi=ROLE_VI[principal.role],
            department_code=principal.department_code,
            csrf_token=token,
        )


@router.post("/login", response_model=MeOut)
def login(
    body: LoginIn, request: Request, response: Response, auth: AuthDep, container: ContainerDep
) -> MeOut:
    """Check the password and start a session (401 for any bad log-in, 429 for a throttled address)."""
    try:
        principal, epoch = auth.authenticate(body.username, body.password, client_host(request.scope))
    except LoginFailed as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from None
    except LoginThrottled as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(error)) from None
    token = start_session(response, container, principal, epoch)
    return MeOut.of(principal, token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def logout(user: CurrentUser, auth: AuthDep) -> Response:
    """End every session of the account and delete the cookies."""
    auth.logout_everywhere(user.id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    end_session(response)
    return response


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, request: Request) -> MeOut:
    """The signed-in official and the CSRF token to send with changes."""
    return MeOut.of(user, csrf_token(request))
