"""Log-in with argon2 password hashes, log-out everywhere, and two brakes on guessing.

Failed log-ins are counted per client address (LOGIN_FAILURES_PER_IP per LOGIN_IP_WINDOW_MINUTES):
past that, the address gets a 429 whatever the user name, before any password is checked. An
account is also locked after LOGIN_MAX_FAILURES consecutive failures (from any address; kept above
the per-address allowance so one address alone cannot lock anyone out). Unknown user, wrong
password, inactive and locked account all get the same answer, after the same work, so neither
the answer nor its timing tells which user names exist or which accounts are locked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.user_models import User
from backend.adapters.db.user_repository import SqlUserRepository
from backend.adapters.redis.rate_limit import AbstractRateLimiter
from backend.domain.access import LockoutPolicy, Principal, Role, is_locked
from backend.domain.errors import DomainError

logger = logging.getLogger(__name__)
HASHER = PasswordHasher()
# Verified when the user name is unknown or the account locked, so every failure takes the same time.
_DUMMY_HASH = HASHER.hash("not-a-real-password")
BAD_CREDENTIALS = (
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa. "
    "Vui lòng thử lại sau hoặc liên hệ quản trị viên."
)
THROTTLED = "Có quá nhiều lần đăng nhập không thành công từ địa chỉ này. Vui lòng thử lại sau {minutes} phút."


class LoginFailed(DomainError):
    """Wrong user name or password, or an inactive or locked account: one answer for all (→ 401)."""


class LoginThrottled(DomainError):
    """Too many failures from this client address in the window (→ 429)."""


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


class AuthService:
    """Check passwords, count failures, and resolve session cookies back to accounts."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        policy: LockoutPolicy,
        throttle: AbstractRateLimiter | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.policy = policy
        self.throttle = throttle  # failures per client address

    def authenticate(self, username: str, password: str, address: str = "unknown") -> tuple[Principal, int]:
        """The principal and its session epoch; LoginThrottled or LoginFailed otherwise."""
        throttle = self.throttle
        if throttle is not None and throttle.exhausted(address):
            logger.warning("log-in from %s refused: too many failures from this address", address)
            raise LoginThrottled(THROTTLED.format(minutes=throttle.window_seconds // 60))
        try:
            return self._check(username, password)
        except LoginFailed:
            if throttle is not None:
                throttle.hit(address)
            raise

    def _check(self, username: str, password: str) -> tuple[Principal, int]:
        with self.session_factory() as session:
            user = SqlUserRepository(session).by_username(username, for_update=True)
            now = self.clock()
            if user is None or not user.active or is_locked(user.locked_until, now):
                password_matches(_DUMMY_HASH, password)
                raise LoginFailed(BAD_CREDENTIALS)
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
            logger.warning("account %s locked until %s: repeated failures", user.username, user.locked_until)
        raise LoginFailed(BAD_CREDENTIALS)

    @staticmethod
    def _record_success(session: Session, user: User, password: str, now: datetime) -> None:
        if HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_attempts, user.locked_until, user.last_login_at = 0, None, now
        session.commit()
