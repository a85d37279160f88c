"""Every page works in Chromium under the Content-Security-Policy, without one violation: the
console, a ticket, the dashboard, the web chat, Swagger UI (/docs, served from this origin) and the
reference-data admin, whose real edit form still saves. Another site may frame the web chat (the
widget) but not the console."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from browser_kit import PASSWORD, another_site, file_ticket, log_in, marker
from playwright.sync_api import Page, expect

from backend.adapters.db.reference_models import Department
from backend.bootstrap import Container
from backend.services.user_service import UserService


def _violations(page: Page) -> list[str]:
    """The CSP violations Chromium reports on the page's console, from now on."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def _visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_console_pages_work_under_the_policy(
    page: Page, base_url: str, accounts: dict[str, str], api: httpx.Client
) -> None:
    violations = _violations(page)
    ticket = file_ticket(api, f"Rác thải ven sông {marker()}")
    log_in(page, base_url, accounts["dispatcher"])
    _visit(page, f"{base_url}/console")
    expect(page.locator(f"a[href='/console/tickets/{ticket['code']}']").first).to_be_visible()
    _visit(page, f"{base_url}/console/tickets/{ticket['code']}")
    expect(page.locator("#reply-form")).to_be_visible()
    _visit(page, f"{base_url}/console/dashboard")
    page.wait_for_function("() => document.querySelectorAll('canvas').length > 0 && window.Chart")
    assert page.evaluate("Object.keys(Chart.instances).length") > 0
    assert violations == []


def test_swagger_ui_and_the_web_chat_work_under_the_policy(page: Page, base_url: str) -> None:
    violations = _violations(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _visit(page, f"{base_url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/tickets").first).to_be_visible()
    _visit(page, f"{base_url}/chat")
    expect(page.locator("#status")).to_have_text("Trực tuyến")
    assert violations == []
    assert all(url.startswith(f"{base_url}/") for url in requested)


@pytest.fixture
def administrator(container: Container) -> Iterator[str]:
    """A fresh administrator account; the dispatch desk's description is restored after."""
    username = f"e2e.admin.{uuid.uuid4().hex[:8]}"
    UserService(container.session_factory).create(username, PASSWORD, "Quản Trị", "administrator")
    with container.session_factory() as session:
        before = session.get(Department, "ioc_dispatch").description  # type: ignore[union-attr]
    yield username
    with container.session_factory() as session:
        session.get(Department, "ioc_dispatch").description = before  # type: ignore[union-attr]
        session.commit()


def test_the_admin_works_under_the_policy_and_its_real_form_saves(
    page: Page, base_url: str, administrator: str, container: Container
) -> None:
    violations = _violations(page)
    log_in(page, base_url, administrator)
    _visit(page, f"{base_url}/admin/department/edit/ioc_dispatch")
    note = f"Ghi chú {marker()}"
    page.fill("textarea[name=description], input[name=description]", note)
    page.click("input[type=submit][name=save][value=Save]")
    page.wait_for_url("**/admin/department/list**")
    with container.session_factory() as session:
        assert session.get(Department, "ioc_dispatch").description == note  # type: ignore[union-attr]
    assert violations == []


@pytest.fixture
def other_site(base_url: str) -> Iterator[str]:
    """A page of another origin framing the web chat and the console log-in."""
    frames = (
        f'<iframe id="chat" src="{base_url}/chat"></iframe>'
        f'<iframe id="console" src="{base_url}/console/login"></iframe>'
    )
    with another_site(frames) as url:
        yield url


def test_another_site_may_frame_the_web_chat_but_not_the_console(page: Page, other_site: str) -> None:
    page.goto(other_site)
    expect(page.frame_locator("#chat").locator("#status")).to_have_text("Trực tuyến")
    assert page.frame_locator("#console").locator("input[name=username]").count() == 0
