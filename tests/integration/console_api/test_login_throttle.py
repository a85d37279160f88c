"""Log-in guessing: failures are throttled per client address (429 whatever the user name), an
account locks only after more failures than one address may make, and unknown users, wrong
passwords and locked accounts all get one answer."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from console_testkit import PASSWORD
from fastapi import FastAPI

from backend.bootstrap import bootstrap
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService
from backend.settings import Settings

DEFAULTS = {
    name: Settings.model_fields[name].default for name in ("login_failures_per_ip", "login_max_failures")
}


def _app(settings: Settings, **overrides: Any) -> Iterator[FastAPI]:
    container = bootstrap(settings.model_copy(update=overrides))
    yield create_app(container=container)
    container.engine.dispose()


@pytest.fixture(scope="module")
def default_app(backend_settings: Settings) -> Iterator[FastAPI]:
    """The app with the log-in limits' defaults."""
    yield from _app(backend_settings, **DEFAULTS)


def _address() -> str:
    """A client address no other test uses (the counts live in Redis for the whole run)."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture
async def from_address(default_app: FastAPI) -> AsyncIterator[Any]:
    """A log-in call from a given client address."""
    clients: dict[str, httpx.AsyncClient] = {}

    async def log_in(address: str, username: str, password: str) -> httpx.Response:
        if address not in clients:
            transport = httpx.ASGITransport(app=default_app, client=(address, 40000))
            clients[address] = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        credentials = {"username": username, "password": password}
        return await clients[address].post("/api/v1/auth/login", json=credentials)

    yield log_in
    for client in clients.values():
        await client.aclose()


async def test_one_address_is_throttled_without_locking_the_account(
    from_address: Any, users: UserService
) -> None:
    users.create("bi.do.mat.khau", PASSWORD, "Người Bị Dò", "officer", "hoi_an_environment")
    attacker = _address()
    failures = [
        (await from_address(attacker, "bi.do.mat.khau", f"doan-{n}")).status_code
        for n in range(DEFAULTS["login_failures_per_ip"])
    ]
    throttled = await from_address(attacker, "bi.do.mat.khau", PASSWORD)
    official = await from_address(_address(), "bi.do.mat.khau", PASSWORD)

    assert set(failures) == {401}
    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith("Có quá nhiều lần đăng nhập không thành công từ địa chỉ này")
    assert official.status_code == 200  # the account was never locked


async def test_throttled_answer_is_the_same_for_any_user_name(
    from_address: Any, accounts: dict[str, str]
) -> None:
    attacker = _address()
    for n in range(DEFAULTS["login_failures_per_ip"]):
        await from_address(attacker, f"khong.co.{n}", "sai")
    answers = [await from_address(attacker, name, "sai") for name in ("khong.co.ai", "can.bo.hoian")]
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].json() == answers[1].json()


async def test_unknown_wrong_and_locked_get_one_answer(
    from_address: Any, users: UserService, accounts: dict[str, str]
) -> None:
    users.create("se.bi.khoa", PASSWORD, "Người Sẽ Bị Khóa", "leader")
    addresses = [_address() for _ in range(DEFAULTS["login_max_failures"])]  # one failure from each
    for address in addresses:
        await from_address(address, "se.bi.khoa", "sai-mat-khau")
    locked = await from_address(_address(), "se.bi.khoa", PASSWORD)  # the right password, now locked
    wrong = await from_address(_address(), "can.bo.hoian", "sai-mat-khau")
    unknown = await from_address(_address(), "khong.ton.tai.ai", "sai-mat-khau")

    assert locked.status_code == wrong.status_code == unknown.status_code == 401
    assert locked.json() == wrong.json() == unknown.json()


async def test_the_console_form_is_throttled_by_the_same_count(
    default_app: FastAPI, from_address: Any
) -> None:
    attacker = _address()
    for n in range(DEFAULTS["login_failures_per_ip"]):
        await from_address(attacker, f"khong.co.{n}", "sai")
    transport = httpx.ASGITransport(app=default_app, client=(attacker, 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        csrf = (await browser.get("/console/login")).cookies["ioc_login_csrf"]
        form = {"username": "can.bo.hoian", "password": PASSWORD, "csrf_token": csrf}
        page = await browser.post("/console/login", data=form)

    assert page.status_code == 429
    assert "Có quá nhiều lần đăng nhập không thành công từ địa chỉ này" in page.text
