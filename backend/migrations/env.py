"""Alembic environment: the URL comes from the caller or from Settings (DATABASE_URL)."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context

from backend.adapters.db.base import UtcDateTime
from backend.adapters.db.engine import make_engine
from backend.adapters.db.models import Base
from backend.settings import get_settings

config = context.config
if config.config_file_name and not config.attributes.get("database_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """The URL passed by migrate.upgrade(), else DATABASE_URL."""
    return config.attributes.get("database_url") or get_settings().database_url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our UtcDateTime as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    """Run migrations on a live connection (SQLite uses batch mode for ALTERs)."""
    engine = make_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
