"""Log-in, lock-out, log-out, CSRF and the create-admin command."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from console_testkit import PASSWORD, create_ticket, login, token
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.entrypoints import cli
from backend.services.auth_service import BAD_CREDENTIALS
from backend.services.user_service import UserService
from backend.settings import Settings


def test_login_sets_a_protected_session_cookie_and_returns_the_csrf_token(
    anonymous: TestClient, accounts: dict[str, str]
) -> None:
    response = login(anonymous, accounts["officer"])
    assert response.status_code == 200
    body = response.json()
    assert (body["role"], body["department_code"], body["role_vi"]) == (
        "officer",
        "hoi_an_environment",
        "Cán bộ xử lý",
    )
    session_cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ioc_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert anonymous.cookies.get("ioc_csrf") == body["csrf_token"]
    me = anonymous.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == accounts["officer"]


def test_bad_password_and_unknown_user_get_the_same_vietnamese_answer(
    anonymous: TestClient, accounts: dict[str, str]
) -> None:
    wrong = login(anonymous, accounts["leader"], "sai-mat-khau")
    unknown = login(anonymous, "khong.ton.tai", "sai-mat-khau")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": BAD_CREDENTIALS}
    assert wrong.json()["detail"].startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    assert anonymous.get("/api/v1/auth/me").status_code == 401


def test_repeated_failures_lock_the_account_until_an_administrator_unlocks_it(
    anonymous: TestClient,
    users: UserService,
    client_as: Callable[[str], TestClient],
    backend_settings: Settings,
) -> None:
    users.create("bi.khoa", PASSWORD, "Người Bị Khóa", "dispatcher")
    failures = backend_settings.login_max_failures
    answers = {login(anonymous, "bi.khoa", "sai-mat-khau").status_code for _ in range(failures)}
    assert answers == {401}
    locked = login(anonymous, "bi.khoa")  # the right password, but locked: the same answer as a wrong one
    assert (locked.status_code, locked.json()) == (401, {"detail": BAD_CREDENTIALS})
    unlock = client_as("administrator").patch("/api/v1/users/bi.khoa", json={"unlock": True})
    assert unlock.status_code == 200 and unlock.json()["locked_until"] is None
    assert login(anonymous, "bi.khoa").status_code == 200


def test_state_changes_need_the_csrf_token(
    console_app: FastAPI,
    accounts: dict[str, str],
    api_client: TestClient,
    service_headers: dict[str, str],
) -> None:
    code = create_ticket(api_client, service_headers, token())
    client = TestClient(console_app)
    csrf = login(client, accounts["officer"]).json()["csrf_token"]
    del client.headers["X-CSRF-Token"]
    url = f"/api/v1/console/tickets/{code}/notes"
    assert client.post(url, json={"text": "ghi chú"}).status_code == 403
    assert client.post(url, json={"text": "ghi chú"}, headers={"X-CSRF-Token": "gia-mao"}).status_code == 403
    assert client.get(f"/api/v1/console/tickets/{code}").status_code == 200  # reads need no token
    assert client.post(url, json={"text": "ghi chú"}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_logout_accepts_the_form_field_and_kills_every_copy_of_the_cookie(
    console_app: FastAPI, users: UserService
) -> None:
    users.create("dang.xuat", PASSWORD, "Người Đăng Xuất", "leader")
    client = TestClient(console_app)
    csrf = login(client, "dang.xuat").json()["csrf_token"]
    del client.headers["X-CSRF-Token"]
    stolen = client.cookies.get("ioc_session")
    assert client.post("/api/v1/auth/logout", data={"csrf_token": csrf}).status_code == 204
    replay = TestClient(console_app, cookies={"ioc_session": stolen or ""})
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_a_tampered_cookie_is_rejected(console_app: FastAPI, accounts: dict[str, str]) -> None:
    client = TestClient(console_app)
    login(client, accounts["dispatcher"])
    forged = (client.cookies.get("ioc_session") or "") + "x"
    assert TestClient(console_app, cookies={"ioc_session": forged}).get("/api/v1/auth/me").status_code == 401


def test_create_admin_command_creates_a_working_administrator(
    database_url: str, anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", "mat-khau-quan-tri")
    cli.main(["create-admin", "--username", "Admin.Dau", "--password-env", "FIRST_ADMIN_PASSWORD"])
    response = login(anonymous, "admin.dau", "mat-khau-quan-tri")
    assert response.status_code == 200 and response.json()["role"] == "administrator"
    with pytest.raises(SystemExit, match="already taken"):
        cli.main(["create-admin", "--username", "admin.dau", "--password-env", "FIRST_ADMIN_PASSWORD"])
