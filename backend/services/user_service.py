"""Console accounts: create, list, update (administrators; the first one from the CLI)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.reference_repository import SqlReferenceRepository
from backend.adapters.db.user_models import User
from backend.adapters.db.user_repository import SqlUserRepository
from backend.domain.access import ROLE_VI, Role
from backend.domain.errors import Conflict, InvalidInput, NotFound
from backend.services.auth_service import hash_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    role: str
    role_vi: str
    department_code: str | None
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


@dataclass(frozen=True)
class UserChanges:
    full_name: str | None = None
    role: str | None = None
    department_code: str | None = None
    active: bool | None = None
    password: str | None = None
    unlock: bool = False


def user_view(user: User) -> UserView:
    """What administrators see of an account (never the hash)."""
    role = Role(user.role)
    return UserView(
        user.username,
        user.full_name,
        role.value,
        ROLE_VI[role],
        user.department_code,
        user.active,
        user.locked_until,
        user.last_login_at,
    )


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"unknown role: {value!r} (known: {', '.join(r.value for r in Role)})") from None


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
    return password


class UserService:
    """Use cases of account administration."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def create(
        self, username: str, password: str, full_name: str, role: str, department_code: str | None = None
    ) -> UserView:
        """Create an account; officers need a department, user names are unique."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput("username: 3-80 characters a-z, 0-9, '.', '_' or '-'")
        with self.session_factory() as session:
            users = SqlUserRepository(session)
            if users.by_username(username):
                raise Conflict(f"username already taken: {username}")
            user = User(
                username=username,
                full_name=full_name.strip() or username,
                password_hash=hash_password(_check_password(password)),
                role=_role(role).value,
                department_code=None,
                active=True,
                failed_attempts=0,
                session_epoch=0,
            )
            self._set_department(session, user, department_code)
            users.add(user)
            session.commit()
            return user_view(user)

    def list(self) -> list[UserView]:
        """Every account."""
        with self.session_factory() as session:
            return [user_view(u) for u in SqlUserRepository(session).all()]

    def update(self, username: str, changes: UserChanges) -> UserView:
        """Change an account's name, role, department, state or password; or unlock it."""
        with self.session_factory() as session:
            user = SqlUserRepository(session).by_username(username, for_update=True)
            if user is None:
                raise NotFound("not found")
            self._apply(session, user, changes)
            session.commit()
            return user_view(user)

    def _apply(self, session: Session, user: User, changes: UserChanges) -> None:
        if changes.full_name is not None:
            user.full_name = changes.full_name.strip() or user.username
        if changes.role is not None:
            user.role = _role(changes.role).value
        if changes.role is not None or changes.department_code is not None:
            self._set_department(session, user, changes.department_code or user.department_code)
        if changes.active is not None:
            user.active = changes.active
            user.session_epoch += 0 if changes.active else 1
        if changes.password is not None:
            user.password_hash = hash_password(_check_password(changes.password))
            user.session_epoch += 1
        if changes.unlock or changes.password is not None:
            user.failed_attempts, user.locked_until = 0, None

    @staticmethod
    def _set_department(session: Session, user: User, department_code: str | None) -> None:
        if user.role != Role.OFFICER:
            user.department_code = department_code if department_code else None
            if department_code is None:
                return
        if not department_code:
            raise InvalidInput("an officer needs a department")
        department = SqlReferenceRepository(session).department(department_code)
        if department is None or not department.active:
            raise InvalidInput(f"unknown department: {department_code!r}")
        user.department_code = department_code
