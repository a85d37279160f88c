"""A citizen who answers the bot the way a person would, on any channel, and the official
who works the resulting ticket through the backend's HTTP API."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy import create_engine, text

CODE = re.compile(r"PA-\d{4}-\d{6}")
REPORT = "Có người đổ trộm rác thải thành đống lớn bốc mùi hôi thối, đề nghị xử lý"
LOCATION = (15.5736, 108.4740)  # Tam Kỳ
FIRST_DESCRIPTION = "Có người đổ trộm rác thải thành đống lớn ở chân cầu bốc mùi hôi thối, đề nghị xử lý"


@dataclass(frozen=True)
class Reply:
    """A message the citizen received: text and button titles."""

    text: str
    buttons: tuple[str, ...] = ()


class Citizen(Protocol):
    """What a citizen can do on a channel."""

    def say(self, text: str) -> None: ...
    def send_photo(self) -> None: ...
    def share_location(self, latitude: float, longitude: float) -> None: ...
    def choose(self, title: str) -> None: ...
    def received(self) -> list[Reply]: ...


def wait_replies(citizen: Citizen, before: int, timeout: float = 90.0, quiet: float = 2.0) -> list[Reply]:
    """Wait for new messages after the first ``before`` ones, until none arrive for ``quiet`` s."""
    deadline = time.monotonic() + timeout
    seen, changed = before, time.monotonic()
    while time.monotonic() < deadline:
        count = len(citizen.received())
        if count != seen:
            seen, changed = count, time.monotonic()
        elif count > before and time.monotonic() - changed >= quiet:
            return citizen.received()[before:]
        time.sleep(0.2)
    raise AssertionError(f"no reply; received so far: {citizen.received()}")


def turn(citizen: Citizen, action: str, *args: object) -> list[Reply]:
    """Do one thing and return the replies it caused."""
    before = len(citizen.received())
    getattr(citizen, action)(*args)
    return wait_replies(citizen, before)


def file_report(citizen: Citizen) -> str:
    """Greet, report rubbish, give the place and a photo, confirm; return the ticket code."""
    turn(citizen, "say", "xin chào")
    return finish_report(citizen, turn(citizen, "say", REPORT))


def finish_report(citizen: Citizen, replies: list[Reply], max_turns: int = 10) -> str:
    """Answer the bot (its latest ``replies``) until it gives a ticket code; return the code."""
    for _ in range(max_turns):
        found = CODE.search("\n".join(reply.text for reply in replies))
        if found:
            return found.group(0)
        replies = turn(citizen, *answer_to(replies[-1]))
    raise AssertionError(f"no ticket code; conversation: {citizen.received()}")


def report_until_the_photo(citizen: Citizen, description: str) -> None:
    """Greet, describe the problem, answer until the bot asks for a photo (the form half done)."""
    turn(citizen, "say", "xin chào")
    replies = turn(citizen, "say", description)
    for _ in range(4):
        if "ảnh" in replies[-1].text.lower():
            return
        replies = turn(citizen, *answer_to(replies[-1]))
    raise AssertionError(f"never asked for the photo; conversation: {citizen.received()}")


def answer_to(reply: Reply) -> tuple[object, ...]:
    """What a citizen does when the bot says ``reply``: ``turn(citizen, *answer_to(reply))``."""
    asked = reply.text.lower()
    if any("gửi phản ánh" in title.lower() for title in reply.buttons):
        return ("choose", "Gửi phản ánh")
    if "ở đâu" in asked or "địa chỉ" in asked:
        return ("share_location", *LOCATION)
    if "ảnh" in asked:
        return ("send_photo",)
    if "lĩnh vực" in asked:
        return ("say", "môi trường")
    return ("say", REPORT)


@dataclass
class Official:
    """Changes a ticket's status through the backend API (service token)."""

    base_url: str
    token: str

    def set_status(self, code: str, status: str, note: str | None = None) -> None:
        """POST /api/v1/tickets/{code}/status."""
        response = httpx.post(
            f"{self.base_url}/api/v1/tickets/{code}/status",
            json={"status": status, "text": note, "actor": "can.bo.e2e"},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text


def ticket_row(database_url: str, code: str) -> dict[str, object]:
    """The ticket's category, channel, photo count and rating, read from the database."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            row = (
                connection.execute(
                    text(
                        "SELECT t.category_code, t.citizen_channel, t.citizen_user_id, t.rating_score, "
                        "t.latitude, "
                        "(SELECT count(*) FROM ticket_photos p WHERE p.ticket_id = t.id) AS photos "
                        "FROM tickets t WHERE t.code = :code"
                    ),
                    {"code": code},
                )
                .mappings()
                .one()
            )
            return dict(row)
    finally:
        engine.dispose()


def tickets_of(database_url: str, channel: str, user_id: object) -> list[tuple[str, str]]:
    """(code, description) of every ticket a citizen filed."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = text("SELECT code, description FROM tickets WHERE citizen_channel = :c AND citizen_user_id = :u")
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"c": channel, "u": str(user_id)})
            return [(row.code, row.description) for row in rows]
    finally:
        engine.dispose()


def work_and_rate(citizen: Citizen, official: Official, code: str) -> list[Reply]:
    """The official takes the ticket up and resolves it; the citizen gives 5 stars."""
    before = len(citizen.received())
    official.set_status(code, "in_progress")
    progress = wait_replies(citizen, before)
    before = len(citizen.received())
    official.set_status(code, "resolved", "Đã thu gom toàn bộ rác và xử lý mùi.")
    resolved = wait_replies(citizen, before)
    thanks = turn(citizen, "choose", "5")
    return [*progress, *resolved, *thanks]
