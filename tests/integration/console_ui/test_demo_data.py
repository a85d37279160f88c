"""The demo data set: realistic variety, idempotent, demo log-ins that work."""

from __future__ import annotations

from console_ui_kit import sign_in
from fastapi.testclient import TestClient
from sqlalchemy import distinct, func, select

from backend.adapters.db.models import OutboxMessage, Ticket, TicketMessage
from backend.bootstrap import bootstrap
from backend.entrypoints.app import create_app
from backend.entrypoints.demo_cli import seed_demo_command
from backend.services.demo_catalog import PASSWORD
from backend.services.demo_data import demo_logins, seed_demo
from backend.settings import Settings


def test_seed_is_varied_and_idempotent(demo_settings: Settings, capsys) -> None:
    assert seed_demo(demo_settings, count=30) == 30
    seed_demo_command(demo_settings)  # a second run does nothing
    printed = capsys.readouterr().out
    assert "already present" in printed and "dieuphoi" in printed and PASSWORD in printed
    container = bootstrap(demo_settings)
    with container.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 30
        assert session.scalar(select(func.count(distinct(Ticket.status)))) >= 3
        assert session.scalar(select(func.count(distinct(Ticket.citizen_channel)))) >= 2
        assert session.scalar(select(func.count(distinct(Ticket.unit_code)))) >= 4
        oldest = session.scalar(select(func.min(Ticket.created_at)))
        assert (container.clock() - oldest).days >= 20
        bot_turns = session.scalar(select(func.count()).where(TicketMessage.author_kind == "bot"))
        assert bot_turns == 30
        states = set(session.scalars(select(distinct(OutboxMessage.state))))
        assert states <= {"delivered", "dead"}  # no worker re-sends demo notifications
    app = create_app(container=container)
    for login in demo_logins():
        client = TestClient(app, follow_redirects=False)  # a browser of its own per account
        assert sign_in(client, login.username, PASSWORD).status_code == 303, login.username
    container.engine.dispose()
