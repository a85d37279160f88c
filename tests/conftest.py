"""Shared fixtures: a fresh, migrated PostgreSQL database per test session, the backend
container and an API client on it.

DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/test); a database
`ioc_test_<random>` is created there, migrated with Alembic, loaded with the reference data and
dropped at the end. Without PostgreSQL the tests that need it skip, or FAIL when CI=true.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.migrate import upgrade
from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.services.reference_service import ReferenceLoader
from backend.services.user_service import UserService
from backend.settings import Settings

# Each test run gets its own Redis namespace (rate-limit counters, pub/sub channels), so runs that
# share one Redis server cannot see each other's counts. Subprocesses started by tests inherit it.
os.environ.setdefault("REDIS_KEY_PREFIX", f"ioc-test-{uuid.uuid4().hex[:8]}:")
# The dashboard's refresh-ahead is off in tests (and their subprocesses) unless a test turns it on.
os.environ.setdefault("DASHBOARD_PREWARM_SECONDS", "0")
# Every TestClient is the one address "testclient" and every e2e browser 127.0.0.1, so the per-address
# limits would count the whole run as one client; the limits' own tests set them explicitly.
os.environ.setdefault("LOGIN_FAILURES_PER_IP", "1000000")
os.environ.setdefault("WEBCHAT_MESSAGES_PER_IP_PER_MINUTE", "1000000")

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_SERVICE_TOKEN = "test-service-token"


def sign_in_official(client: TestClient, password: str = "mat-khau-can-bo-2026") -> TestClient:
    """Create a dispatcher on the client's app and sign the client in as them."""
    username = f"official.{uuid.uuid4().hex[:8]}"
    users = UserService(client.app.state.container.session_factory)  # type: ignore[attr-defined]
    users.create(username, password, "Cán Bộ Điều Phối", "dispatcher")
    assert client.post("/api/v1/auth/login", json={"username": username, "password": password}).is_success
    return client


def unavailable(reason: str) -> None:
    """Skip, or fail when CI=true: CI must never silently skip the real-database tests."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return url if url.startswith("postgres") else DEFAULT_DATABASE_URL


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def load_reference(database_url: str) -> None:
    """Load the repository's reference data into a migrated database."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        ReferenceLoader(Path(__file__).resolve().parents[1] / "reference").load(session)
    engine.dispose()


@contextlib.contextmanager
def isolated_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database `<prefix>_<random>`, migrated, reference data loaded, dropped after."""
    server = _server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(_libpq(server), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL unreachable at {make_url(server).host}: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        load_reference(url)
        yield url
    finally:
        with psycopg.connect(_libpq(server), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The session's test database (see `isolated_database`)."""
    with isolated_database("ioc_test") as url:
        yield url


@pytest.fixture(scope="session")
def backend_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the backend under test (service token `test-service-token`)."""
    return Settings(
        database_url=database_url,
        service_token=TEST_SERVICE_TOKEN,
        media_dir=tmp_path_factory.mktemp("media"),
        public_base_url="http://testserver",
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )


@pytest.fixture(scope="session")
def backend_container(backend_settings: Settings) -> Iterator[Container]:
    """The wired backend on the test database."""
    container = bootstrap(backend_settings)
    yield container
    container.engine.dispose()


@pytest.fixture(scope="session")
def api_client(backend_container: Container) -> Iterator[TestClient]:
    """An HTTP client of the whole app."""
    with TestClient(create_app(container=backend_container)) as client:
        yield client


@pytest.fixture(scope="session")
def service_headers() -> dict[str, str]:
    """The Authorization header of the action server."""
    return {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
