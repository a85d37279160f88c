"""Console authentication for API and HTML routes: signed session cookie, CSRF, roles.

Dependencies to reuse in any router:
- `CurrentUser`: the signed-in Principal; 401 (NotAuthenticated) without a valid session. On a
  state-changing method (POST/PUT/PATCH/DELETE) it also demands the CSRF token, in the
  `X-CSRF-Token` header or the `csrf_token` form field (403 otherwise).
- `require_role(Role.X, ...)`: like CurrentUser, and 403 for any other role.
- `csrf_token(request)`: the token of the current session, for HTML forms.
- `SessionHolds`: a check, for long-lived responses (event streams), that the session still
  admits the same official (not expired, logged out, deactivated, re-roled or re-passworded).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.entrypoints.api.console_deps import auth_service
from backend.entrypoints.api.deps import ContainerDep
from backend.services.auth_service import AuthService

SESSION_COOKIE = "ioc_session"
CSRF_COOKIE = "ioc_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotAuthenticated(HTTPException):
    """No valid session (401); HTML routes may turn it into a redirect to /console/login."""

    def __init__(self) -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, "Vui lòng đăng nhập để tiếp tục.")


class CsrfFailed(HTTPException):
    def __init__(self) -> None:
        super().__init__(status.HTTP_403_FORBIDDEN, "Thiếu hoặc sai mã CSRF. Vui lòng tải lại trang.")


class RoleForbidden(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            status.HTTP_403_FORBIDDEN, "Tài khoản của anh/chị không có quyền thực hiện thao tác này."
        )


@dataclass(frozen=True)
class SessionData:
    user_id: int
    epoch: int
    csrf: str


def signing_key(container: Container) -> str:
    """SECRET_KEY, or (development only) a random key kept for the life of the process."""
    key = container.settings.secret_key
    if not key:
        key = getattr(container, "_ephemeral_secret", None) or secrets.token_urlsafe(32)
        container._ephemeral_secret = key  # type: ignore[attr-defined]
    return key


def _serializer(container: Container) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_key(container), salt="ioc-console-session")


def secure_cookies(container: Container) -> bool:
    """Cookies carry Secure when the console is served over https (PUBLIC_BASE_URL)."""
    return container.settings.public_base_url.startswith("https://")


def start_session(response: Response, container: Container, principal: Principal, epoch: int) -> str:
    """Set the session and CSRF cookies; returns the CSRF token."""
    token = secrets.token_urlsafe(32)
    value = _serializer(container).dumps({"u": principal.id, "e": epoch, "c": token})
    settings = container.settings
    secure = secure_cookies(container)
    common: dict[str, Any] = {"max_age": settings.session_max_age_s, "secure": secure, "samesite": "lax"}
    response.set_cookie(SESSION_COOKIE, value, httponly=True, path="/", **common)
    response.set_cookie(CSRF_COOKIE, token, httponly=False, path="/", **common)
    return token


def end_session(response: Response) -> None:
    """Delete the session and CSRF cookies."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def read_session(request: Request, container: Container) -> SessionData | None:
    """The verified content of the session cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(container).loads(raw, max_age=container.settings.session_max_age_s)
        return SessionData(int(data["u"]), int(data["e"]), str(data["c"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def verified_session(request: Request, container: ContainerDep) -> SessionData:
    """The session cookie, with the CSRF token checked on state-changing requests."""
    session = read_session(request, container)
    if session is None:
        raise NotAuthenticated()
    if request.method not in SAFE_METHODS:
        given = await _submitted_csrf(request)
        if not secrets.compare_digest(given.encode(), session.csrf.encode()):
            raise CsrfFailed()
    request.state.csrf_token = session.csrf
    return session


def get_auth_service(container: ContainerDep) -> AuthService:
    """The log-in service of this process."""
    return auth_service(container)


AuthDep = Annotated[AuthService, Depends(get_auth_service)]


def current_user(
    session: Annotated[SessionData, Depends(verified_session)], auth: AuthDep, request: Request
) -> Principal:
    """The signed-in official (401 when the session is missing, expired or logged out)."""
    principal = auth.principal(session.user_id, session.epoch)
    if principal is None:
        raise NotAuthenticated()
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def session_recheck(request: Request, container: ContainerDep, user: CurrentUser) -> Callable[[], bool]:
    """A blocking check that the request's session still resolves to the same official."""

    def holds() -> bool:
        session = read_session(request, container)
        if session is None:
            return False
        return auth_service(container).principal(session.user_id, session.epoch) == user

    return holds


SessionHolds = Annotated[Callable[[], bool], Depends(session_recheck)]


def require_role(*roles: Role) -> Any:
    """A dependency admitting only the given roles (403 for the others)."""

    def dependency(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise RoleForbidden()
        return user

    return Depends(dependency)


def csrf_token(request: Request) -> str:
    """The CSRF token of the current request's session (after CurrentUser ran)."""
    return str(getattr(request.state, "csrf_token", ""))


TicketWorker = Annotated[Principal, require_role(Role.DISPATCHER, Role.OFFICER)]
Dispatcher = Annotated[Principal, require_role(Role.DISPATCHER)]
Administrator = Annotated[Principal, require_role(Role.ADMINISTRATOR)]
StatsReader = Annotated[Principal, require_role(Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR)]
Exporter = Annotated[Principal, require_role(Role.LEADER, Role.DISPATCHER, Role.OFFICER)]
