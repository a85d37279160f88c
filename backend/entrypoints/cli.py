"""`python -m backend.entrypoints.cli <command>`: migrate, load-reference."""

from __future__ import annotations

import argparse
import logging

from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.migrate import upgrade
from backend.services.reference_service import ReferenceLoader
from backend.settings import Settings, get_settings


def migrate(settings: Settings) -> None:
    """Bring the database schema to the latest Alembic revision."""
    upgrade(settings.database_url)
    print("database migrated")


def load_reference(settings: Settings) -> None:
    """Load or update the reference data from reference/*.yml."""
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        counts = ReferenceLoader(settings.reference_dir).load(session)
    engine.dispose()
    print("reference data loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


COMMANDS = {"migrate": migrate, "load-reference": load_reference}


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m backend.entrypoints.cli")
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    COMMANDS[args.command](get_settings())


if __name__ == "__main__":
    main()
