"""Account administration (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, StringConstraints

from backend.entrypoints.api.console_deps import UsersDep
from backend.entrypoints.api.security import Administrator
from backend.services.user_service import UserChanges, UserView

router = APIRouter(prefix="/api/v1/users", tags=["users"])
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Password = Annotated[str, StringConstraints(max_length=200)]


class UserCreateIn(BaseModel):
    username: Code
    password: Password
    full_name: Name
    role: Code
    department_code: Code | None = None


class UserUpdateIn(BaseModel):
    full_name: Name | None = None
    role: Code | None = None
    department_code: Code | None = None
    active: bool | None = None
    password: Password | None = None
    unlock: bool = False


@router.get("", response_model=list[UserView])
def list_users(_admin: Administrator, users: UsersDep) -> list[UserView]:
    """Every console account."""
    return users.list()


@router.post("", response_model=UserView, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreateIn, _admin: Administrator, users: UsersDep) -> UserView:
    """Create an account (officers need a department)."""
    return users.create(body.username, body.password, body.full_name, body.role, body.department_code)


@router.patch("/{username}", response_model=UserView)
def update_user(username: str, body: UserUpdateIn, _admin: Administrator, users: UsersDep) -> UserView:
    """Change an account, reset its password, deactivate or unlock it."""
    return users.update(username, UserChanges(**body.model_dump()))
