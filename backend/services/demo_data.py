"""The demo data set: ~300 realistic tickets over the last 60 days, and demo accounts.

Tickets go through the real use cases (routing, SLA, audit trail, outbox) on a simulated clock;
the rows those use cases stamp with the wall clock are then re-stamped with the simulated time.
Seeding is idempotent: nothing happens when demo tickets already exist.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select, update

from backend.adapters.db.base import utcnow
from backend.adapters.db.models import AuditEntry, OutboxMessage, Ticket, TicketMessage
from backend.bootstrap import Container, bootstrap
from backend.domain.errors import DomainError
from backend.domain.sla import LOCAL_TZ
from backend.services import demo_catalog as catalog
from backend.services.commands import ChangeStatus, Contact, CreateTicket, Rate
from backend.services.user_service import UserService
from backend.settings import Settings

KEY_PREFIX = "demo-"
DAYS = 60


class SimClock:
    """A clock the seeder moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    department: str | None


def demo_logins() -> list[DemoLogin]:
    """The demo accounts (all share catalog.PASSWORD)."""
    return [DemoLogin(*account) for account in catalog.ACCOUNTS]


def has_demo_data(container: Container) -> bool:
    """True once demo tickets exist."""
    with container.session_factory() as session:
        count = session.scalar(select(func.count()).where(Ticket.idempotency_key.like(KEY_PREFIX + "%")))
        return bool(count)


def _create_accounts(container: Container) -> None:
    users = UserService(container.session_factory)
    for login in demo_logins():
        with contextlib.suppress(DomainError):  # the account exists already
            users.create(login.username, catalog.PASSWORD, login.full_name, login.role, login.department)


def _fast_commits(container: Container) -> None:
    """Demo rows need no fsync per commit (this engine only)."""
    postgres = container.engine.dialect.name == "postgresql"
    statement = "SET synchronous_commit TO OFF" if postgres else "PRAGMA synchronous = OFF"

    @event.listens_for(container.engine, "connect")
    def _no_sync(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()


class DemoSeeder:
    """Files and works the demo tickets through the services."""

    def __init__(self, settings: Settings, count: int, seed: int = 2026) -> None:
        self.started = utcnow()
        self.clock = SimClock(self.started)
        self.container = bootstrap(settings, clock=self.clock)
        _fast_commits(self.container)
        self.rng = random.Random(seed)
        self.count = count
        self.officers = {d: f"officer:{u}" for u, _n, r, d in catalog.ACCOUNTS if r == "officer" and d}
        self.codes: dict[str, list[str]] = {}

    def run(self) -> int:
        """Seed unless demo tickets exist; returns how many tickets were created."""
        if has_demo_data(self.container):
            return 0
        _create_accounts(self.container)
        photos = [
            self.container.media.url_of(self.container.media.save(catalog.scene_png(c)).path)
            for c in catalog.COLORS
        ]
        moments = sorted(self._moment() for _ in range(self.count))
        for number, moment in enumerate(moments):
            self._ticket(number, moment, photos)
        self._settle_outbox()
        self.container.engine.dispose()
        return self.count

    def _moment(self) -> datetime:
        local = (self.started - timedelta(days=self.rng.uniform(0, DAYS))).astimezone(LOCAL_TZ)
        hour = self.rng.choice((7, 8, 9, 10, 11, 14, 15, 16, 17, 19, 20))
        return min(local.replace(hour=hour, minute=self.rng.randrange(60)), self.started - timedelta(hours=1))

    def _at(self, moment: datetime, code: str, action: Callable[[], object]) -> bool:
        """Run one use case at a simulated moment (skipped if still in the future)."""
        if moment >= self.started - timedelta(minutes=5):
            return False
        self.clock.now = moment
        try:
            action()
        except DomainError:
            return False
        self._stamp(code, moment)
        return True

    def _stamp(self, code: str, moment: datetime) -> None:
        with self.container.session_factory() as session:
            ticket_id = session.scalar(select(Ticket.id).where(Ticket.code == code))
            for column in (TicketMessage.created_at, AuditEntry.at, OutboxMessage.created_at):
                table = column.class_
                session.execute(
                    update(table)
                    .where(table.ticket_id == ticket_id, column >= self.started)
                    .values({column.key: moment})
                )
            session.execute(update(Ticket).where(Ticket.id == ticket_id).values(updated_at=moment))
            session.commit()

    def _command(self, number: int, photos: list[str]) -> CreateTicket:
        rng = self.rng
        category = rng.choices(list(catalog.CATEGORY_WEIGHTS), list(catalog.CATEGORY_WEIGHTS.values()))[0]
        _town, area, streets, lat, lon = rng.choice(catalog.PLACES)
        street = rng.choice(streets)
        text = rng.choice(catalog.REPORTS[category]).format(street=street, n=rng.randrange(2, 180), area=area)
        channel = rng.choices([c for c, _w in catalog.CHANNELS], [w for _c, w in catalog.CHANNELS])[0]
        located = rng.random() < 0.6
        return CreateTicket(
            category=category,
            description=text,
            contact=Contact(channel, self._user_id(channel), self._name(), self._phone()),
            location_text=f"đường {street}",
            area=area,
            latitude=round(lat + rng.uniform(-0.008, 0.008), 6) if located else None,
            longitude=round(lon + rng.uniform(-0.008, 0.008), 6) if located else None,
            photo_urls=rng.sample(photos, rng.randint(1, 2)) if rng.random() < 0.3 else [],
            nlu_category=category,
            nlu_confidence=round(rng.uniform(0.72, 0.99), 2),
            idempotency_key=f"{KEY_PREFIX}{number:05d}",
        )

    def _user_id(self, channel: str) -> str:
        if channel == "zalo":
            return str(self.rng.randrange(10**17, 10**18))
        if channel == "telegram":
            return str(self.rng.randrange(10**8, 10**10))
        return f"w-{self.rng.getrandbits(64):016x}"

    def _name(self) -> str:
        return " ".join(self.rng.choice(part) for part in (catalog.FAMILY, catalog.MIDDLE, catalog.GIVEN))

    def _phone(self) -> str | None:
        return f"09{self.rng.randrange(10**7, 10**8)}" if self.rng.random() < 0.4 else None

    def _ticket(self, number: int, moment: datetime, photos: list[str]) -> None:
        command = self._command(number, photos)
        self.clock.now = moment
        code = self.container.tickets.create(command).view.code
        self._stamp(code, moment)
        self._bot_turn(code, moment + timedelta(seconds=5))
        self.codes.setdefault(command.category, []).append(code)
        DemoStory(self, code, command, moment).play()

    def _bot_turn(self, code: str, moment: datetime) -> None:
        with self.container.session_factory() as session:
            ticket_id = session.scalar(select(Ticket.id).where(Ticket.code == code))
            body = catalog.BOT_ACK.format(code=code)
            session.add(TicketMessage(ticket_id=ticket_id, author_kind="bot", body=body, created_at=moment))
            session.commit()

    def _settle_outbox(self) -> None:
        """Demo notifications count as delivered (a couple as dead), so no worker re-sends them."""
        with self.container.session_factory() as session:
            demo = select(Ticket.id).where(Ticket.idempotency_key.like(KEY_PREFIX + "%"))
            pending = OutboxMessage.state == "pending"
            rows = session.scalars(select(OutboxMessage.id).where(pending, OutboxMessage.ticket_id.in_(demo)))
            dead = set(list(rows)[-2:])
            session.execute(
                update(OutboxMessage)
                .where(pending, OutboxMessage.ticket_id.in_(demo), OutboxMessage.id.not_in(dead))
                .values(state="delivered", attempts=1, delivered_at=OutboxMessage.created_at)
            )
            error = "Người dùng đã chặn tin nhắn từ tài khoản chính thức"
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(dead))
                .values(state="dead", attempts=8, last_error=error)
            )
            session.commit()


class DemoStory:
    """What happens to one demo ticket after it is filed, by its age."""

    def __init__(self, seeder: DemoSeeder, code: str, command: CreateTicket, created: datetime) -> None:
        self.seeder, self.code, self.command, self.created = seeder, code, command, created
        self.rng = seeder.rng
        self.age_days = (seeder.started - created).total_seconds() / 86400
        self.container = seeder.container

    def actor(self) -> str:
        """The handling department's demo officer, else the dispatcher."""
        with self.container.session_factory() as session:
            department = session.scalar(select(Ticket.department_code).where(Ticket.code == self.code))
        return self.seeder.officers.get(department or "", "dispatcher:dieuphoi")

    def play(self) -> None:
        """Move the ticket along a plausible path."""
        roll, actor = self.rng.random(), self.actor()
        if self.age_days > 3 and roll < 0.05:
            self._status("rejected", self.rng.choice(catalog.REJECTIONS), actor, hours=20)
        elif self.age_days > 3 and roll < 0.08 and len(self.seeder.codes[self.command.category]) > 3:
            original = self.seeder.codes[self.command.category][-3]
            wf = self.container.workflow
            self.seeder._at(self._after(6), self.code, lambda: wf.mark_duplicate(self.code, original, actor))
        elif self.age_days > 1.5 and roll < 0.08 + min(0.82, self.age_days / 12):
            self._progress(actor)
            self._resolve(actor)
        elif roll < 0.75 or self.age_days > 2:
            self._progress(actor)

    def _after(self, hours: float) -> datetime:
        return self.created + timedelta(hours=hours)

    def _status(self, status: str, text: str, actor: str, hours: float) -> bool:
        command = ChangeStatus(self.code, status, actor, text)
        return self.seeder._at(
            self._after(hours), self.code, lambda: self.container.workflow.change_status(command)
        )

    def _progress(self, actor: str) -> None:
        wf = self.container.workflow
        if not self._status("in_progress", "Đơn vị đã tiếp nhận, đang kiểm tra thực tế.", actor, hours=3):
            return
        if self.rng.random() < 0.45:
            text = self.rng.choice(catalog.PROGRESS_REPLIES)
            self.seeder._at(self._after(5), self.code, lambda: wf.reply(self.code, actor, text))
        if self.rng.random() < 0.3:
            note = self.rng.choice(catalog.NOTES)
            self.seeder._at(self._after(6), self.code, lambda: wf.add_note(self.code, actor, note))

    def _resolve(self, actor: str) -> None:
        hours = self.rng.uniform(8, 24 * 9) if self.rng.random() < 0.8 else self.rng.uniform(24 * 8, 24 * 14)
        if not self._status("resolved", self.rng.choice(catalog.ANSWERS), actor, hours=hours):
            return
        if self.rng.random() < 0.6:
            score = self.rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0]
            contact = self.command.contact
            rate = Rate(
                self.code, contact.channel, contact.channel_user_id, score, catalog.RATING_COMMENTS[score]
            )
            self.seeder._at(self._after(hours + 3), self.code, lambda: self.container.tickets.rate(rate))
        if self.rng.random() < 0.6:
            self._status("closed", "Kết thúc phản ánh sau khi công dân xác nhận.", actor, hours=hours + 72)


def seed_demo(settings: Settings, count: int = 300) -> int:
    """Create the demo data set unless it exists; returns the number of tickets created."""
    return DemoSeeder(settings, count).run()
