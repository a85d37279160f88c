"""`make run`'s first step, `python -m backend.entrypoints.cli prepare` (scripts/run.sh), on the
embedded default (a fresh SQLite file): the first start loads the demo data set and prints the
demo log-ins; later starts load nothing more and print the log-ins again; a database holding real
tickets never gets demo data nor prints demo log-ins; an empty PostgreSQL database (maybe
production) gets demo accounts only with `--demo` (`make demo`)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from console_ui_kit import sign_in
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.adapters.db.migrate import upgrade
from backend.adapters.db.models import Ticket
from backend.adapters.db.user_models import User
from backend.bootstrap import bootstrap
from backend.entrypoints.app import create_app
from backend.services.commands import Contact, CreateTicket
from backend.services.demo_catalog import PASSWORD
from backend.services.demo_data import demo_logins
from backend.settings import Settings
from tests.conftest import isolated_database, load_reference

ROOT = Path(__file__).resolve().parents[3]
BASE_URL = "http://127.0.0.1:8000"  # run.sh's PUBLIC_BASE_URL


def prepare(database_url: str, media: Path, *flags: str) -> str:
    """Run the command as run.sh does (or `make demo`, with `--demo`); its standard output."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_DIR": str(media), "PUBLIC_BASE_URL": BASE_URL}
    env.pop("REDIS_URL", None)  # the embedded default: no Redis
    command = [sys.executable, "-m", "backend.entrypoints.cli", "prepare", *flags]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def assert_logins_printed(printed: str) -> None:
    assert f"{BASE_URL}/console/login" in printed and f"password: {PASSWORD}" in printed
    for login in demo_logins():
        assert login.username in printed and login.full_name in printed


def count_rows(settings: Settings, model: type) -> int:
    container = bootstrap(settings)
    with container.session_factory() as session:
        count = session.scalar(select(func.count()).select_from(model))
    container.engine.dispose()
    return int(count or 0)


def tickets(settings: Settings) -> int:
    return count_rows(settings, Ticket)


def accounts(settings: Settings) -> int:
    return count_rows(settings, User)


def test_the_first_start_seeds_the_demo_and_prints_the_log_ins_and_later_starts_do_not_reseed(
    tmp_path: Path,
) -> None:
    url, media = f"sqlite:///{tmp_path / 'ioc.db'}", tmp_path / "media"
    first = prepare(url, media)
    assert "database migrated" in first and "reference data loaded" in first
    assert "demo data: 300 tickets created" in first
    assert_logins_printed(first)
    settings = Settings(database_url=url, media_dir=media, public_base_url=BASE_URL, redis_url=None)
    assert tickets(settings) == 300

    second = prepare(url, media)
    assert "tickets created" not in second and "demo data already present" in second
    assert_logins_printed(second)  # run.sh tells the newcomer they are printed above, every start
    assert tickets(settings) == 300

    container = bootstrap(settings)
    dispatcher = next(login for login in demo_logins() if login.role == "dispatcher")
    client = TestClient(create_app(container=container), follow_redirects=False)
    assert sign_in(client, dispatcher.username, PASSWORD).status_code == 303
    assert client.get("/console").status_code == 200
    container.engine.dispose()


def test_a_database_with_real_tickets_gets_no_demo_data_and_no_demo_log_ins(tmp_path: Path) -> None:
    url, media = f"sqlite:///{tmp_path / 'ioc.db'}", tmp_path / "media"
    upgrade(url)
    load_reference(url)
    settings = Settings(database_url=url, media_dir=media, public_base_url=BASE_URL, redis_url=None)
    container = bootstrap(settings)
    contact = Contact("telegram", str(uuid.uuid4().int % 10**9))
    container.tickets.create(CreateTicket("environment", "Rác thải ven sông", contact, area="Tân Thạnh"))
    container.engine.dispose()
    printed = prepare(url, media)
    assert "demo data not seeded" in printed and PASSWORD not in printed
    assert tickets(settings) == 1


def test_an_empty_postgresql_database_gets_demo_accounts_only_when_asked(tmp_path: Path) -> None:
    with isolated_database("ioc_prepare") as url:
        settings = Settings(database_url=url, media_dir=tmp_path, public_base_url=BASE_URL, redis_url=None)
        printed = prepare(url, tmp_path)
        assert "demo data not seeded" in printed and PASSWORD not in printed
        assert accounts(settings) == 0 and tickets(settings) == 0

        asked = prepare(url, tmp_path, "--demo")
        assert "demo data: 300 tickets created" in asked
        assert_logins_printed(asked)
        assert accounts(settings) == len(demo_logins()) and tickets(settings) == 300
