"""The reference-data admin (/admin) admits administrators only: signed in to the console (same
session cookie) or through the admin's own log-in form, with the console's lock-out rules. Its
forms carry no CSRF token: every state-changing request must come from our own origin."""

from __future__ import annotations

from sqladmin.authentication import AuthenticationBackend
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from backend.bootstrap import Container
from backend.domain.access import Principal, Role
from backend.domain.errors import DomainError
from backend.entrypoints.api.console_deps import auth_service
from backend.entrypoints.api.security import read_session, secure_cookies, signing_key
from backend.entrypoints.client_address import client_host
from backend.entrypoints.same_origin import SameOriginWrites


class ConsoleAdminAuth(AuthenticationBackend):
    """sqladmin authentication backed by the console accounts."""

    def __init__(self, container: Container) -> None:
        super().__init__(secret_key=signing_key(container))
        self.container = container
        self.middlewares = [
            Middleware(SameOriginWrites, trusted=[container.settings.public_base_url]),
            # the admin's session cookie: Secure behind https, like the console's
            Middleware(
                SessionMiddleware,
                secret_key=signing_key(container),
                max_age=container.settings.session_max_age_s,
                https_only=secure_cookies(container),
            ),
        ]

    async def login(self, request: Request) -> bool:
        """Check the admin log-in form; only administrators get in."""
        form = await request.form()
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        try:
            principal, epoch = await run_in_threadpool(
                auth_service(self.container).authenticate, username, password, client_host(request.scope)
            )
        except DomainError:
            return False
        if principal.role != Role.ADMINISTRATOR:
            return False
        request.session.update({"u": principal.id, "e": epoch})
        return True

    async def logout(self, request: Request) -> bool:
        """Forget the admin session."""
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        """True for an administrator's console session or admin session."""
        principal = await run_in_threadpool(self._principal, request)
        return principal is not None and principal.role == Role.ADMINISTRATOR

    def _principal(self, request: Request) -> Principal | None:
        auth = auth_service(self.container)
        console = read_session(request, self.container)
        if console is not None:
            return auth.principal(console.user_id, console.epoch)
        user_id, epoch = request.session.get("u"), request.session.get("e")
        return auth.principal(int(user_id), int(epoch)) if user_id is not None and epoch is not None else None
