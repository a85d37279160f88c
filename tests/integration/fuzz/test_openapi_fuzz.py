"""Schemathesis against the app's own OpenAPI, in process, on a PostgreSQL database of its own:
every operation, with the service token and with a dispatcher's console session. No response
may be a 5xx or break the declared response schema.

No operation is left out. Deterministic (derandomized) so a failure is reproducible; bounded by
FUZZ_MAX_EXAMPLES (default 20) per operation and generation mode: about 150 s of CPU for both runs.
The webhooks are in the schema too (the channels are off here: 404); their signed-but-malformed
payloads are covered by tests/integration/gateway/test_gateway_malformed_webhooks.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from backend.bootstrap import bootstrap
from backend.entrypoints.app import create_app
from backend.services.user_service import UserService
from backend.settings import Settings
from tests.conftest import TEST_SERVICE_TOKEN, isolated_database
from tests.integration.gateway.fake_rasa import FakeRasaServer

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
CONSOLE_PATHS = "^/api/v1/(console|auth|users|stats)"
CHECKS = [not_a_server_error, response_schema_conformance]
DISPATCHER, PASSWORD = "fuzz.dieu.phoi", "mat-khau-fuzz-2026"
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The whole app on its own database (the fuzzer writes a lot), with one dispatcher; a fake Rasa
    answers, so /readyz is ready (it answers 503 by design while Rasa is down)."""
    with isolated_database("ioc_fuzz") as url, FakeRasaServer() as rasa:
        container = bootstrap(_settings(url, tmp_path_factory.mktemp("fuzz-media"), rasa))
        UserService(container.session_factory).create(
            DISPATCHER, PASSWORD, "Fuzz Điều Phối", "dispatcher", None
        )
        yield create_app(container=container)
        container.engine.dispose()


def _settings(database_url: str, media: Path, rasa: FakeRasaServer) -> Settings:
    return Settings(
        database_url=database_url,
        rasa_url=rasa.base_url,
        rasa_gateway_token=rasa.token,
        service_token=TEST_SERVICE_TOKEN,
        media_dir=media,
        public_base_url="http://testserver",
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        login_max_failures=1_000_000,  # the fuzzer may send the dispatcher's name with bad passwords
    )


@pytest.fixture(scope="module")
def service_schema(fuzz_app: FastAPI) -> Any:
    """The app's OpenAPI document, served by the app itself, for the service token's run."""
    return _schema(fuzz_app, covered_by_console=False)


@pytest.fixture(scope="module")
def console_schema(fuzz_app: FastAPI) -> Any:
    """The same document for the console session's run."""
    return _schema(fuzz_app, covered_by_console=True)


def _schema(app: FastAPI, *, covered_by_console: bool) -> Any:
    """Every operation in both runs; the coverage phase (boundary and wrong-type values of every
    parameter, deterministic but costly to generate) runs once per operation, in the run whose
    credentials get past its authentication."""
    key = "exclude-path-regex" if covered_by_console else "include-path-regex"
    skip_coverage = {key: CONSOLE_PATHS, "phases": {"coverage": {"enabled": False}}}
    config = SchemathesisConfig.from_dict({"operations": [skip_coverage]})
    return schemathesis.openapi.from_asgi("/openapi.json", WithoutLifespan(app), config=config)


class WithoutLifespan:
    """The app without its start-up and shut-down (as the console API tests use it): Schemathesis
    opens a test client per call, which would otherwise start the gateway's pools every time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


class ConsoleSession:
    """A dispatcher's session cookie and CSRF token; logs in again after a 401 (the fuzzer may call
    log-out, which ends every session of the account)."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def refresh(self) -> None:
        """Log in (again)."""
        self.client.cookies.clear()
        response = self.client.post("/api/v1/auth/login", json={"username": DISPATCHER, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.cookies = dict(self.client.cookies)
        self.headers = {"X-CSRF-Token": response.json()["csrf_token"]}


@pytest.fixture(scope="module")
def console_session(fuzz_app: FastAPI) -> ConsoleSession:
    """A logged-in dispatcher."""
    session = ConsoleSession(fuzz_app)
    session.refresh()
    return session


@schemathesis.pytest.from_fixture("service_schema").parametrize()
@FUZZ_SETTINGS
def test_with_the_service_token(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}, checks=CHECKS)


@schemathesis.pytest.from_fixture("console_schema").parametrize()
@FUZZ_SETTINGS
def test_with_a_console_session(case: Any, console_session: ConsoleSession) -> None:
    if not console_session.client.get("/api/v1/auth/me").is_success:
        console_session.refresh()
    case.call_and_validate(headers=console_session.headers, cookies=console_session.cookies, checks=CHECKS)
