"""Log-in with argon2 password hashes, lock-out after repeated failures, log-out everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.user_models import User
from backend.adapters.db.user_repository import SqlUserRepository
from backend.domain.access import LockoutPolicy, Principal, Role, is_locked
from backend.domain.errors import DomainError
from backend.domain.sla import LOCAL_TZ

HASHER = PasswordHasher()
# Verified when the user name is unknown, so both answers take the same time.
_DUMMY_HASH = HASHER.hash("not-a-real-password")
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = (
    "Tài khoản đã bị tạm khóa do nhập sai mật khẩu nhiều lần. "
    "Vui lòng thử lại sau {until} hoặc liên hệ quản trị viên."
)


class LoginFailed(DomainError):
    """Wrong user name or password, or an inactive account (→ 401)."""


class AccountLocked(DomainError):
    """Too many consecutive failures; the account is locked for a while (→ 429)."""


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """True if the password matches the hash."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def principal_of(user: User) -> Principal:
    """The signed-in view of an account."""
    return Principal(user.id, user.username, user.full_name, Role(user.role), user.department_code)


def _locked_message(until: datetime) -> str:
    return LOCKED.format(until=until.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y"))


class AuthService:
    """Check passwords, count failures, and resolve session cookies back to accounts."""

    def __init__(
        self, session_factory: sessionmaker[Session], clock: Callable[[], datetime], policy: LockoutPolicy
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.policy = policy

    def authenticate(self, username: str, password: str) -> tuple[Principal, int]:
        """The principal and its session epoch; LoginFailed or AccountLocked otherwise."""
        with self.session_factory() as session:
            user = SqlUserRepository(session).by_username(username, for_update=True)
            if user is None or not user.active:
                password_matches(_DUMMY_HASH, password)
                raise LoginFailed(BAD_CREDENTIALS)
            now = self.clock()
            if is_locked(user.locked_until, now):
                raise AccountLocked(_locked_message(user.locked_until))  # type: ignore[arg-type]
            if not password_matches(user.password_hash, password):
                self._record_failure(session, user, now)
            self._record_success(session, user, password, now)
            return principal_of(user), user.session_epoch

    def principal(self, user_id: int, epoch: int) -> Principal | None:
        """The account behind a session cookie, if it is still active and not logged out."""
        with self.session_factory() as session:
            user = SqlUserRepository(session).get(user_id)
            if user is None or not user.active or user.session_epoch != epoch:
                return None
            return principal_of(user)

    def logout_everywhere(self, user_id: int) -> None:
        """Invalidate every session cookie of the account."""
        with self.session_factory() as session:
            user = SqlUserRepository(session).get(user_id)
            if user is not None:
                user.session_epoch += 1
                session.commit()

    def _record_failure(self, session: Session, user: User, now: datetime) -> None:
        user.failed_attempts, user.locked_until = self.policy.after_failure(user.failed_attempts, now)
        session.commit()
        if user.locked_until is not None:
            raise AccountLocked(_locked_message(user.locked_until))
        raise LoginFailed(BAD_CREDENTIALS)

    @staticmethod
    def _record_success(session: Session, user: User, password: str, now: datetime) -> None:
        if HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_attempts, user.locked_until, user.last_login_at = 0, None, now
        session.commit()
