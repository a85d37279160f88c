"""The same API on the embedded SQLite default (what `make run` uses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from backend_testkit import owner_params, report
from fastapi.testclient import TestClient

from backend.entrypoints.app import create_app
from backend.entrypoints.cli import main as cli
from backend.settings import Settings


def test_create_and_look_up_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/var/ioc.db"
    monkeypatch.setenv("DATABASE_URL", url)
    cli(["migrate"])
    cli(["load-reference"])
    settings = Settings(database_url=url, service_token="t", media_dir=tmp_path / "media")
    headers = {"Authorization": "Bearer t", "Idempotency-Key": "sqlite-1"}
    body = report(area="An Mỹ", category="security")
    with TestClient(create_app(settings)) as client:
        created = client.post("/api/v1/tickets", json=body, headers=headers)
        again = client.post("/api/v1/tickets", json=body, headers=headers)
        status = client.get(
            f"/api/v1/tickets/{created.json()['code']}", params=owner_params(body), headers=headers
        )
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["department"]["code"] == "tam_ky_police"
    assert created.json()["unit"]["code"] == "tam_ky"
    assert status.json()["code"] == again.json()["code"] == created.json()["code"]
