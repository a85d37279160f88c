"""CLI commands of the demo data set: `seed-demo`, and `prepare` (what `make run` calls first).

Demo accounts (known password) and tickets go into an empty database only when asked (`make demo`,
`prepare --demo`, DEMO_DATA=true) or on the embedded default (SQLite): never into an empty
PostgreSQL database by a plain start, which may be production."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.models import Ticket
from backend.services.demo_catalog import PASSWORD
from backend.services.demo_data import KEY_PREFIX, demo_logins, seed_demo
from backend.settings import Settings

NO_DEMO = (
    "empty database: demo data not seeded (not SQLite; `make demo` or `prepare --demo` seeds it); "
    "create an administrator with `python -m backend.entrypoints.cli create-admin --username NAME`"
)


def print_logins(settings: Settings) -> None:
    """Print the demo accounts and where to use them."""
    print(f"Console: {settings.public_base_url}/console/login — demo accounts (password: {PASSWORD}):")
    for login in demo_logins():
        where = f", {login.department}" if login.department else ""
        print(f"  {login.username:<22} {login.role}{where} — {login.full_name}")


def seed_demo_command(settings: Settings) -> None:
    """Create the demo tickets and accounts unless they exist, then print the log-ins."""
    created = seed_demo(settings)
    print(f"demo data: {created} tickets created" if created else "demo data already present; nothing done")
    print_logins(settings)


def ticket_counts(settings: Settings) -> tuple[int, int]:
    """How many tickets the database holds, and how many of them are demo tickets."""
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Ticket)) or 0
        demo = session.scalar(select(func.count()).where(Ticket.idempotency_key.like(KEY_PREFIX + "%"))) or 0
    engine.dispose()
    return int(count), int(demo)


def wants_demo(settings: Settings, asked: bool = False) -> bool:
    """Seed an empty database when asked (flag or DEMO_DATA) or on the embedded SQLite default."""
    return asked or settings.demo_data or settings.database_url.startswith("sqlite")


def prepare(settings: Settings, demo: bool = False) -> None:
    """Migrate, load the reference data, and seed the demo data set into an empty database when
    `wants_demo`; print the demo log-ins on every start while the demo data set is there."""
    from backend.entrypoints import cli  # the command table imports this module

    cli.migrate(settings)
    cli.load_reference(settings)
    tickets, demo_tickets = ticket_counts(settings)
    if tickets == 0 and wants_demo(settings, demo):
        seed_demo_command(settings)
    elif tickets == 0:
        print(NO_DEMO)
    elif demo_tickets:
        print("demo data already present; nothing done")
        print_logins(settings)
    else:
        print("tickets present; demo data not seeded")
