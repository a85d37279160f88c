"""The reference-data admin (/admin) lets in administrators only, and only from its own pages."""

from __future__ import annotations

from collections.abc import Callable

from console_testkit import PASSWORD
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.reference_models import Department, PlaceAlias
from backend.bootstrap import Container

RULES = "/admin/routing-rule-row/list"


def test_an_administrators_console_session_opens_the_admin(client_as: Callable[[str], TestClient]) -> None:
    response = client_as("administrator").get(RULES)
    assert response.status_code == 200 and "tam_ky_police" in response.text


def test_other_roles_and_strangers_are_sent_to_the_admin_log_in(
    client_as: Callable[[str], TestClient], anonymous: TestClient
) -> None:
    for client in (client_as("dispatcher"), client_as("leader"), anonymous):
        response = client.get(RULES, follow_redirects=False)
        assert response.status_code in (302, 303) and "/admin/login" in response.headers["location"]


def test_the_admin_log_in_form_accepts_only_administrators(
    console_app: FastAPI, accounts: dict[str, str]
) -> None:
    client = TestClient(console_app)
    refused = client.post(
        "/admin/login", data={"username": accounts["dispatcher"], "password": PASSWORD}, headers=OURS
    )
    assert refused.status_code == 400
    assert client.get(RULES, follow_redirects=False).status_code in (302, 303)
    accepted = client.post(
        "/admin/login",
        data={"username": accounts["administrator"], "password": PASSWORD},
        headers=OURS,
        follow_redirects=False,
    )
    assert accepted.status_code in (302, 303)
    assert client.get(RULES).status_code == 200


OURS = {"Origin": "http://testserver"}
FORGED = [
    {"Origin": "https://evil.example"},
    {"Referer": "https://evil.example/trap.html"},
    {"Origin": "null"},  # a sandboxed iframe or a data: page
    {},  # neither header
]
EDIT = "/admin/department/edit/ioc_dispatch"


def _dispatch_desk(container: Container) -> Department:
    with container.session_factory() as session:
        desk = session.get(Department, "ioc_dispatch")
        assert desk is not None
        return desk


def _an_alias(container: Container) -> str:
    with container.session_factory() as session:
        return str(session.scalars(select(PlaceAlias.alias).limit(1)).one())


def test_a_forged_cross_site_admin_write_is_refused_and_the_real_form_works(
    client_as: Callable[[str], TestClient], backend_container: Container
) -> None:
    admin, desk, alias = (
        client_as("administrator"),
        _dispatch_desk(backend_container),
        _an_alias(backend_container),
    )
    form = {"name": desk.name, "description": "Sửa bởi trang giả mạo", "scope": desk.scope, "active": "y"}
    for headers in FORGED:
        edited = admin.post(EDIT, data=form, headers=headers, follow_redirects=False)
        deleted = admin.delete(f"/admin/place-alias/delete?pks={alias}", headers=headers)
        assert (edited.status_code, deleted.status_code) == (403, 403), headers
        assert "trang quản trị" in edited.json()["detail"]
    assert _dispatch_desk(backend_container).description == desk.description
    assert _an_alias(backend_container) == alias

    real = {**form, "description": "Sửa từ trang quản trị"}
    assert admin.post(EDIT, data=real, headers=OURS, follow_redirects=False).status_code == 302
    assert _dispatch_desk(backend_container).description == "Sửa từ trang quản trị"
    restored = {**form, "description": desk.description}
    assert admin.post(EDIT, data=restored, headers=OURS, follow_redirects=False).status_code == 302
