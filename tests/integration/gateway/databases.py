"""A database of a suite's own, for suites whose workers drain every due outbox row."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from backend.adapters.db.migrate import upgrade
from tests.conftest import _libpq, _server_url, load_reference, unavailable


@contextlib.contextmanager
def isolated_database(prefix: str) -> Iterator[str]:
    """A database of our own (migrated, reference data loaded), dropped afterwards: workers
    drain every due outbox row, so they must not see other suites' rows."""
    server = _server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(_libpq(server), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL unreachable: {error}")
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
