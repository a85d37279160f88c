"""The console's cookies as a client sees them in Set-Cookie: Secure behind an https PUBLIC_BASE_URL,
not on a plain-http local run; always HttpOnly (but the CSRF cookie the scripts read) and SameSite."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from console_ui_kit import PASSWORD, page_token
from fastapi.testclient import TestClient

from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService
from backend.settings import Settings

# What each console cookie must carry besides Secure: HttpOnly, and SameSite=<value>.
EXPECTED = {
    "ioc_login_csrf": (True, "strict"),
    "ioc_session": (True, "lax"),
    "ioc_csrf": (False, "lax"),  # the console's scripts copy it into X-CSRF-Token
    "session": (True, "lax"),  # the reference-data admin's own log-in (/admin/login)
}
ADMIN = "ui.quantri.cookie"


@pytest.fixture(params=["https", "http"])
def scheme(request: pytest.FixtureRequest) -> str:
    """The scheme of PUBLIC_BASE_URL (and of the client's requests)."""
    return str(request.param)


@pytest.fixture
def client(scheme: str, backend_settings: Settings) -> Iterator[TestClient]:
    """A browser of an app whose PUBLIC_BASE_URL has `scheme`, on the session's database."""
    settings = backend_settings.model_copy(update={"public_base_url": f"{scheme}://ioc.example.vn"})
    container = bootstrap(settings)
    app = create_app(container=container)
    yield TestClient(app, base_url=f"{scheme}://testserver", follow_redirects=False)
    container.engine.dispose()


@pytest.fixture(scope="module")
def administrator(backend_container: Container) -> str:
    """An administrator account for the admin's log-in form."""
    UserService(backend_container.session_factory).create(ADMIN, PASSWORD, "Quản Trị Cookie", "administrator")
    return ADMIN


def _set_cookies(response: httpx.Response) -> dict[str, list[str]]:
    """Each cookie the response sets: name → its lower-cased attributes (`secure`, `samesite=lax` …)."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = [part.strip().lower() for part in rest.split(";")[1:]]
    return cookies


def _check(cookies: dict[str, list[str]], names: list[str], secure: bool) -> None:
    for name in names:
        attributes = cookies[name]
        httponly, samesite = EXPECTED[name]
        assert ("secure" in attributes) is secure, (name, attributes)
        assert ("httponly" in attributes) is httponly, (name, attributes)
        assert f"samesite={samesite}" in attributes, (name, attributes)


def test_the_log_in_page_sets_secure_cookies_only_behind_https(
    client: TestClient, scheme: str, ui_accounts: dict[str, str]
) -> None:
    form = client.get("/console/login")
    _check(_set_cookies(form), ["ioc_login_csrf"], secure=scheme == "https")
    data = {"username": ui_accounts["officer"], "password": PASSWORD, "csrf_token": page_token(form.text)}
    signed_in = client.post("/console/login", data=data)
    assert signed_in.status_code == 303, signed_in.text
    _check(_set_cookies(signed_in), ["ioc_session", "ioc_csrf"], secure=scheme == "https")
    assert client.get("/console").status_code == 200  # the browser sends them back


def test_the_log_in_api_sets_secure_cookies_only_behind_https(
    client: TestClient, scheme: str, ui_accounts: dict[str, str]
) -> None:
    body = {"username": ui_accounts["leader"], "password": PASSWORD}
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    _check(_set_cookies(response), ["ioc_session", "ioc_csrf"], secure=scheme == "https")
    assert client.get("/api/v1/auth/me").json()["username"] == ui_accounts["leader"]


def test_the_admin_log_in_sets_a_secure_cookie_only_behind_https(
    client: TestClient, scheme: str, administrator: str
) -> None:
    form = {"username": administrator, "password": PASSWORD}
    response = client.post("/admin/login", data=form, headers={"Origin": f"{scheme}://testserver"})
    assert response.status_code in (302, 303), response.text
    _check(_set_cookies(response), ["session"], secure=scheme == "https")
    assert client.get("/admin/routing-rule-row/list").status_code == 200
