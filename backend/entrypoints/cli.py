"""`python -m backend.entrypoints.cli <command>`: migrate, load-reference, create-admin."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import time

from backend.adapters.db import rasa_tracker
from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.migrate import upgrade
from backend.domain.access import Role
from backend.domain.errors import DomainError
from backend.entrypoints import demo_cli, telegram_cli
from backend.logging_setup import configure_logging
from backend.services.reference_service import ReferenceLoader
from backend.services.user_service import UserService
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


def tracker_store_url(settings: Settings) -> None:
    """Print the URL of Rasa's SQL tracker store (scripts/run.sh exports it as TRACKER_STORE_URL)."""
    print(settings.rasa_tracker_url())


def prune_conversations(settings: Settings) -> None:
    """Delete Rasa's events of conversations idle longer than TRACKER_RETENTION_DAYS."""
    days = settings.tracker_retention_days
    pruned = rasa_tracker.prune_conversations(settings.rasa_tracker_url(), days, time.time())
    print(f"conversations pruned: {pruned} (idle more than {days} days)")


COMMANDS = {
    "migrate": migrate,
    "load-reference": load_reference,
    "telegram-set-webhook": telegram_cli.set_webhook,
    "telegram-poll": telegram_cli.poll,
    "seed-demo": demo_cli.seed_demo_command,
    "tracker-store-url": tracker_store_url,
    "prune-conversations": prune_conversations,
}


def create_admin(settings: Settings, args: argparse.Namespace) -> None:
    """Create an administrator account (password from --password-env VAR, else prompted)."""
    password = os.environ.get(args.password_env, "") if args.password_env else ""
    if not password:
        password = getpass.getpass("Mật khẩu quản trị viên: ")
    engine = make_engine(settings.database_url)
    try:
        view = UserService(make_session_factory(engine)).create(
            args.username, password, args.full_name or args.username, Role.ADMINISTRATOR.value
        )
    except DomainError as error:
        raise SystemExit(f"create-admin failed: {error}") from None
    finally:
        engine.dispose()
    print(f"administrator created: {view.username}")


def prepare(settings: Settings, args: argparse.Namespace) -> None:
    """`make run`'s first step (`--demo`: seed an empty database whatever its engine)."""
    demo_cli.prepare(settings, demo=args.demo)


COMMANDS_WITH_ARGS = {"create-admin": create_admin, "prepare": prepare}


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m backend.entrypoints.cli")
    parser.add_argument("command", choices=sorted([*COMMANDS, *COMMANDS_WITH_ARGS]))
    parser.add_argument("--username", help="create-admin: the account's user name")
    parser.add_argument("--password-env", help="create-admin: environment variable holding the password")
    parser.add_argument("--full-name", help="create-admin: the administrator's full name")
    parser.add_argument("--demo", action="store_true", help="prepare: seed the demo into an empty database")
    args = parser.parse_args(argv)
    configure_logging(logging.INFO)
    if args.command in COMMANDS_WITH_ARGS:
        if args.command == "create-admin" and not args.username:
            parser.error("create-admin needs --username")
        COMMANDS_WITH_ARGS[args.command](get_settings(), args)
        return
    COMMANDS[args.command](get_settings())


if __name__ == "__main__":
    main()
