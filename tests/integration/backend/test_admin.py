"""The reference-data admin lists and edits rows behind its authentication backend."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqladmin.authentication import AuthenticationBackend

from backend.bootstrap import Container
from backend.entrypoints.admin import mount_admin


class HeaderAuth(AuthenticationBackend):
    """Lets in only requests carrying X-Test-Admin: yes (the console supplies the real one)."""

    async def login(self, request: Request) -> bool:
        return False

    async def logout(self, request: Request) -> bool:
        return True

    async def authenticate(self, request: Request) -> bool:
        return request.headers.get("X-Test-Admin") == "yes"


def test_admin_lists_routing_rules_only_when_authenticated(backend_container: Container) -> None:
    app = FastAPI()
    mount_admin(app, backend_container.engine, HeaderAuth(secret_key="test"))
    client = TestClient(app)
    allowed = client.get("/admin/routing-rule-row/list", headers={"X-Test-Admin": "yes"})
    assert allowed.status_code == 200
    assert "tam_ky_police" in allowed.text
    assert client.get("/admin/routing-rule-row/list", follow_redirects=False).status_code in (302, 303)
    departments = client.get("/admin/department/list", headers={"X-Test-Admin": "yes"})
    assert "Bàn điều phối" in departments.text
