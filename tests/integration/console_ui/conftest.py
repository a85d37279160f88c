"""The console pages through a TestClient on the session's fresh database, and a second fresh
database for the demo data set (so its tickets never mix with other suites' counts)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from console_ui_kit import PASSWORD
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService
from backend.settings import Settings
from tests.conftest import isolated_database

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
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings on a database of its own, migrated, with the reference data loaded."""
    with isolated_database("ioc_demo") as url:
        yield Settings(database_url=url, media_dir=tmp_path_factory.mktemp("demo-media"), redis_url=None)
