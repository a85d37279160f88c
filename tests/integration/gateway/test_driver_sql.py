"""Hot-path statements on the driver connection behave like ``Session.execute``: rows by column
name, SQLAlchemy's errors, and a dropped connection marked invalid so the step runs again."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from backend.adapters.db.driver_sql import execute, fetch_all
from backend.adapters.db.engine import make_engine, make_session_factory, retry_if_dropped
from tests.integration.gateway.test_pool_idle_ping import _terminate

PID = text("SELECT pg_backend_pid() AS pid, CAST(:word AS text) AS word")
FAILING = text("SELECT 1 / CAST(:zero AS integer)")


def test_rows_by_column_name_in_the_sessions_transaction(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url)
    try:
        with make_session_factory(engine)() as session:
            execute(session, text("CREATE TEMPORARY TABLE t (n integer)"), {})
            execute(session, text("INSERT INTO t VALUES (:n)"), {"n": 7})
            (row,) = fetch_all(session, text("SELECT n, n + 1 AS m FROM t"), {})
            assert (row.n, row.m) == (7, 8)
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 1  # same transaction
    finally:
        engine.dispose()


def test_driver_errors_are_sqlalchemy_errors(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url)
    try:
        with make_session_factory(engine)() as session, pytest.raises(exc.DataError):
            fetch_all(session, FAILING, {"zero": 0})
    finally:
        engine.dispose()


def test_a_step_that_meets_a_dropped_connection_runs_again(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url, idle_ping_seconds=3600.0)
    sessions = make_session_factory(engine)

    def step() -> int:
        with sessions() as session:
            (row,) = fetch_all(session, PID, {"word": "xin chào"})
            session.commit()
        assert row.word == "xin chào"
        return int(row.pid)

    try:
        dropped = step()
        _terminate(gateway_database_url, dropped)
        assert retry_if_dropped(step) != dropped
    finally:
        engine.dispose()
