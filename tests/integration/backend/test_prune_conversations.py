"""`cli prune-conversations` deletes Rasa's events of conversations idle longer than
TRACKER_RETENTION_DAYS and keeps every event of the others, in the SQL tracker store Rasa itself
creates at `cli tracker-store-url` (schema rasa of the PostgreSQL database, or a SQLite file)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from backend.entrypoints.cli import main as cli
from tests.conftest import unavailable
from tests.e2e.stack import BOT_PY, ROOT

DAY = 86400.0
CREATE_TABLE = "from rasa.core.tracker_store import SQLTrackerStore as S; import sys; S(host=sys.argv[1])"


def tracker_url(capsys: pytest.CaptureFixture[str]) -> str:
    """The URL Rasa is given, as `cli tracker-store-url` prints it."""
    capsys.readouterr()
    cli(["tracker-store-url"])
    return capsys.readouterr().out.strip()


def rasa_creates_its_table(url: str) -> None:
    """Rasa's SQLTrackerStore (the bot's environment) connects and creates its events table."""
    if not BOT_PY.exists():
        unavailable("needs .venv-bot (make setup)")
    subprocess.run([str(BOT_PY), "-c", CREATE_TABLE, url], cwd=ROOT, check=True, capture_output=True)


def write_events(url: str, events: list[tuple[str, float]]) -> None:
    """Events (sender, age in days) as Rasa stores them."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    insert = text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')")
    with engine.begin() as connection:
        for sender, age in events:
            connection.execute(insert, {"s": sender, "t": time.time() - age * DAY})
    engine.dispose()


def senders(url: str) -> list[tuple[str, int]]:
    """(sender, number of events) left."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = text("SELECT sender_id, count(*) FROM events GROUP BY sender_id ORDER BY sender_id")
    with engine.connect() as connection:
        rows = [(row[0], row[1]) for row in connection.execute(query)]
    engine.dispose()
    return rows


def prune_and_look(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, list[tuple[str, int]]]:
    """Write an idle, a recent and a long-running conversation; prune; return the output and what is left."""
    rasa_creates_its_table(url)
    write_events(
        url, [("telegram:1", 120), ("telegram:1", 95), ("zalo:2", 3), ("zalo:3", 200), ("zalo:3", 1)]
    )
    cli(["prune-conversations"])
    return capsys.readouterr().out, senders(url)


def test_idle_conversations_are_pruned_on_postgresql(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "90")
    url = tracker_url(capsys)

    output, left = prune_and_look(url, capsys)

    assert "options=-csearch_path%3Drasa" in url  # its own schema, made by the migrations
    assert left == [("zalo:2", 1), ("zalo:3", 2)]
    assert "conversations pruned: 1" in output


def test_idle_conversations_are_pruned_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path}/rasa_tracker.db")
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "2")

    _, left = prune_and_look(tracker_url(capsys), capsys)

    assert left == [("zalo:3", 2)]
