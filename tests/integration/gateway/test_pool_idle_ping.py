"""Pooled PostgreSQL connections are pinged only after sitting idle (no round trip per
transaction on a busy gateway), and a dropped connection is still replaced, or the gateway's
repeatable steps run again on a fresh one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, exc, text

from backend.adapters.db.engine import make_engine, retry_if_dropped


def _pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    killer = make_engine(url)
    try:
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()


def test_an_idle_connection_that_was_dropped_is_replaced_before_use(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url, idle_ping_seconds=0.0)
    try:
        dropped = _pid(engine)
        _terminate(gateway_database_url, dropped)

        assert _pid(engine) != dropped  # no error: the ping found it dead and the pool reconnected
    finally:
        engine.dispose()


def test_a_just_used_connection_is_not_pinged_and_a_drop_costs_one_statement(
    gateway_database_url: str,
) -> None:
    engine = make_engine(gateway_database_url, idle_ping_seconds=3600.0)
    try:
        dropped = _pid(engine)
        _terminate(gateway_database_url, dropped)

        with pytest.raises(exc.OperationalError):  # hot path: no ping before the statement
            _pid(engine)
        assert _pid(engine) != dropped  # the failure discarded the pool's old connections
    finally:
        engine.dispose()


def test_a_repeatable_step_that_meets_a_dropped_connection_runs_again(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url, idle_ping_seconds=3600.0)
    try:
        dropped = _pid(engine)
        _terminate(gateway_database_url, dropped)

        assert retry_if_dropped(lambda: _pid(engine)) != dropped
    finally:
        engine.dispose()


def test_other_database_errors_are_not_repeated(gateway_database_url: str) -> None:
    engine = make_engine(gateway_database_url)
    runs = []

    def failing() -> None:
        runs.append(1)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1 / 0"))

    try:
        with pytest.raises(exc.DataError):
            retry_if_dropped(failing)
        assert len(runs) == 1
    finally:
        engine.dispose()
