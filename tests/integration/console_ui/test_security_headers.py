"""Security headers on every response: a Content-Security-Policy allowing only this origin's scripts,
nosniff, a Referrer-Policy; no site may frame a page (frame-ancestors 'none' and X-Frame-Options
DENY) except the web chat, framed by the sites CHAT_FRAME_ANCESTORS names."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.entrypoints.app import create_app
from backend.settings import Settings

ROUTES = [
    "/console/login",
    "/console",  # a redirect to the log-in
    "/console/static/console.js",
    "/admin/login",
    "/docs",
    "/openapi.json",
    "/api/v1/console/tickets",  # 401
    "/open311/v2/services.json",
    "/healthz",
    "/no-such-page",  # 404
]


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), follow_redirects=False)


def _policy(response: object) -> dict[str, str]:
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("path", ROUTES)
def test_every_response_carries_the_headers_and_forbids_framing(
    backend_settings: Settings, backend_container: Container, path: str
) -> None:
    response = TestClient(create_app(container=backend_container), follow_redirects=False).get(path)
    policy = _policy(response)

    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_web_chat_may_be_framed_by_the_sites_the_setting_names(backend_settings: Settings) -> None:
    anywhere = _client(backend_settings).get("/chat")
    portal = "https://www.quangnam.gov.vn https://dichvucong.quangnam.gov.vn"
    named = _client(backend_settings.model_copy(update={"chat_frame_ancestors": portal})).get("/chat")
    own = _client(backend_settings.model_copy(update={"chat_frame_ancestors": "'self'"})).get("/chat")

    assert _policy(anywhere)["frame-ancestors"] == "*" and "x-frame-options" not in anywhere.headers
    assert _policy(named)["frame-ancestors"] == portal and "x-frame-options" not in named.headers
    assert _policy(own)["frame-ancestors"] == "'self'" and own.headers["x-frame-options"] == "SAMEORIGIN"
    assert anywhere.headers["x-content-type-options"] == "nosniff"
    assert _policy(anywhere)["script-src"] == "'self'"


def test_swagger_ui_is_served_from_this_origin(backend_settings: Settings) -> None:
    client = _client(backend_settings)
    page = client.get("/docs")

    assert page.status_code == 200 and "<script>" not in page.text and "http" not in page.text
    for asset in ("/docs/static/vendor/swagger-ui-bundle.js", "/docs/static/init.js"):
        assert asset in page.text and client.get(asset).status_code == 200
    assert client.get("/redoc").status_code == 404  # ReDoc loads from a CDN: off
