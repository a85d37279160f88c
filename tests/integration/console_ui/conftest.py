"""The console pages through a TestClient on the session's fresh database, and a second fresh
database for the demo data set (so its tickets never mix with other suites' counts)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from console_ui_kit import PASSWORD
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from backend.adapters.db.migrate import upgrade
from backend.bootstrap import Container
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService
from backend.settings import Settings
from tests.conftest import _libpq, load_reference

ACCOUNTS = {
    "officer": ("ui.canbo", "Lê Văn Cán Bộ", "officer", "tam_ky_environment"),
    "other_officer": ("ui.canbo.hoian", "Võ Thị Hội An", "officer", "hoi_an_environment"),
    "leader": ("ui.lanhdao", "Đặng Văn Lãnh Đạo", "leader", None),
}


@pytest.fixture(scope="session")
def ui_accounts(backend_container: Container) -> dict[str, str]:
    """Console accounts for these tests: key → user name."""
    users = UserService(backend_container.session_factory)
    for username, full_name, role, department in ACCOUNTS.values():
        users.create(username, PASSWORD, full_name, role, department)
    return {key: value[0] for key, value in ACCOUNTS.items()}


@pytest.fixture
def browser_like(backend_container: Container) -> TestClient:
    """A client that does not follow redirects, like a browser we can inspect step by step."""
    return TestClient(create_app(container=backend_container), follow_redirects=False)


@pytest.fixture(scope="session")
def demo_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings on a database of its own, migrated, with the reference data loaded."""
    name = f"ioc_demo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        settings = Settings(database_url=url, media_dir=tmp_path_factory.mktemp("demo-media"), redis_url=None)
        load_reference(url)
        yield settings
    finally:
        with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
