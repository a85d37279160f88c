"""Account administration (administrators only)."""

from __future__ import annotations

from datetime import datetime
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


class UserOut(BaseModel):
    username: str
    full_name: str
    role: str
    role_vi: str
    department_code: str | None
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None

    @classmethod
    def of(cls, view: UserView) -> UserOut:
        """Build from the service view."""
        return cls(**view.__dict__)


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


@router.get("", response_model=list[UserOut])
def list_users(_admin: Administrator, users: UsersDep) -> list[UserOut]:
    """Every console account."""
    return [UserOut.of(v) for v in users.list()]


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreateIn, _admin: Administrator, users: UsersDep) -> UserOut:
    """Create an account (officers need a department)."""
    view = users.create(body.username, body.password, body.full_name, body.role, body.department_code)
    return UserOut.of(view)


@router.patch("/{username}", response_model=UserOut)
def update_user(username: str, body: UserUpdateIn, _admin: Administrator, users: UsersDep) -> UserOut:
    """Change an account, reset its password, deactivate or unlock it."""
    return UserOut.of(users.update(username, UserChanges(**body.model_dump())))
