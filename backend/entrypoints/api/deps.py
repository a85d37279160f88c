"""Dependencies shared by the API routers."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.bootstrap import Container

bearer = HTTPBearer(auto_error=False, description="the service token (SERVICE_TOKEN)")


def get_container(request: Request) -> Container:
    """The container built at start-up."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def require_service_token(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Accept only `Authorization: Bearer <SERVICE_TOKEN>` (constant-time comparison)."""
    expected = container.settings.service_token
    given = credentials.credentials if credentials else ""
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid or missing service token",
            headers={"WWW-Authenticate": "Bearer"},
        )


ServiceAuth = Depends(require_service_token)
