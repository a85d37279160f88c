"""Console accounts of every role and logged-in API clients for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from console_testkit import HOI_AN_ENV, PASSWORD, TAM_KY_ENV, Clock, login
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.migrate import upgrade
from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.services.reference_service import ReferenceLoader
from backend.services.user_service import UserService
from backend.settings import Settings

ACCOUNTS = {
    "dispatcher": ("dieu.phoi", "Trần Điều Phối", "dispatcher", None),
    "officer": ("can.bo.hoian", "Lê Cán Bộ", "officer", HOI_AN_ENV),
    "other_officer": ("can.bo.tamky", "Phạm Tam Kỳ", "officer", TAM_KY_ENV),
    "leader": ("lanh.dao", "Võ Lãnh Đạo", "leader", None),
    "administrator": ("quan.tri", "Hồ Quản Trị", "administrator", None),
}


@pytest.fixture(scope="session")
def users(backend_container: Container) -> UserService:
    """Account administration on the test database."""
    return UserService(backend_container.session_factory)


@pytest.fixture(scope="session")
def accounts(users: UserService) -> dict[str, str]:
    """One account per role (plus an officer of another department): role → user name."""
    for username, full_name, role, department in ACCOUNTS.values():
        users.create(username, PASSWORD, full_name, role, department)
    return {key: value[0] for key, value in ACCOUNTS.items()}


@pytest.fixture(scope="session")
def console_app(backend_container: Container) -> FastAPI:
    """The whole app (no lifespan: clients below do not start background workers)."""
    return create_app(container=backend_container)


@pytest.fixture(scope="session")
def client_as(console_app: FastAPI, accounts: dict[str, str]) -> Callable[[str], TestClient]:
    """A logged-in client (with its CSRF header) for an account key of ACCOUNTS, cached."""
    clients: dict[str, TestClient] = {}

    def make(key: str) -> TestClient:
        if key not in clients:
            client = TestClient(console_app)
            assert login(client, accounts[key]).status_code == 200
            clients[key] = client
        return clients[key]

    return make


@pytest.fixture
def anonymous(console_app: FastAPI) -> TestClient:
    """A client without a session."""
    return TestClient(console_app)


@pytest.fixture(scope="session")
def past_clock() -> Clock:
    """The clock of the `past` container; tests set it before filing tickets."""
    return Clock(datetime(2025, 3, 3, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def past(backend_settings: Settings, past_clock: Clock) -> Iterator[TestClient]:
    """A service-token client of an app whose clock is `past_clock` (same database)."""
    container = bootstrap(backend_settings, clock=past_clock)
    yield TestClient(create_app(container=container))
    container.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[tuple[TestClient, Callable[[str], TestClient], Clock]]:
    """(service client, logged-in client by user name, clock) of an app on a fresh SQLite file,
    with the accounts `lanh.dao` (leader) and `dieu.phoi` (dispatcher); service token `t`."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ReferenceLoader(Path(__file__).resolve().parents[3] / "reference").load(session)
    users = UserService(make_session_factory(engine))
    users.create("lanh.dao", PASSWORD, "Lãnh Đạo", "leader")
    users.create("dieu.phoi", PASSWORD, "Điều Phối", "dispatcher")
    engine.dispose()
    clock = Clock(datetime(2025, 3, 1, tzinfo=UTC))
    settings = Settings(
        database_url=url, service_token="t", media_dir=tmp_path, public_base_url="http://testserver"
    )
    container = bootstrap(settings, clock=clock)
    app = create_app(container=container)

    def client_for(username: str) -> TestClient:
        client = TestClient(app)
        assert login(client, username).status_code == 200
        return client

    yield TestClient(app), client_for, clock
    container.engine.dispose()
