"""Ticket creation with routing on PostgreSQL: the service, the HTTP API, and a bare INSERT."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from backend_env import bench_database, connect, note, table
from backend_server import backend

from backend.bootstrap import bootstrap
from backend.services.commands import Contact, CreateTicket
from backend.settings import Settings

TOKEN = "bench-service-token"
CLIENTS = 4
PROBLEMS = ("rác thải đổ trộm bốc mùi", "đèn đường không sáng", "ổ gà lớn giữa đường",
            "cống thoát nước bị tắc", "cây xanh gãy đổ chắn lối đi", "lấn chiếm vỉa hè buôn bán")  # fmt: skip


@dataclass(frozen=True)
class Reference:
    categories: list[str]
    areas: list[str]
    department: str


def reference(url: str) -> Reference:
    """Category codes and unit names (what citizens name as the area) of the bench database."""
    with connect(url) as db:
        categories = [r[0] for r in db.execute("SELECT code FROM categories ORDER BY code")]
        areas = [r[0] for r in db.execute("SELECT name FROM units ORDER BY code")]
        department = db.execute("SELECT min(code) FROM departments").fetchone()
    return Reference(categories, areas, department[0] if department else "")


def payload(ref: Reference, i: int) -> dict[str, Any]:
    """The JSON of POST /api/v1/tickets for the i-th ticket (varied category, area, text)."""
    return {
        "category": ref.categories[i % len(ref.categories)],
        "description": f"{PROBLEMS[i % len(PROBLEMS)]} gần nhà số {i}, đề nghị xử lý",
        "location_text": f"số {i} đường Phan Châu Trinh",
        "area": ref.areas[(i * 7) % len(ref.areas)],
        "contact": {"channel": "telegram", "channel_user_id": str(100000 + i), "display_name": "Lan"},
    }


def command(ref: Reference, i: int) -> CreateTicket:
    """The same ticket as a service command."""
    body = payload(ref, i)
    return CreateTicket(
        category=body["category"], description=body["description"], location_text=body["location_text"],
        area=body["area"], contact=Contact(**body["contact"]), idempotency_key=uuid.uuid4().hex,
    )  # fmt: skip


def rate(count: int, clients: int, work: Callable[[int], None]) -> float:
    """Items per second when `clients` threads share `count` items."""
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(work, range(count)))
    return count / (time.perf_counter() - start)


INSERT = """INSERT INTO tickets (code, status, category_code, description, location_text, area_text,
  department_code, routing_match, citizen_channel, citizen_user_id, due_at, created_at, updated_at)
VALUES (%s, 'assigned', %s, %s, %s, %s, %s, 'fallback', 'telegram', %s,
  now() + interval '3 days', now(), now())"""


def bare_insert(url: str, ref: Reference, count: int, clients: int) -> float:
    """The baseline: one INSERT of the same row per transaction, no routing, audit or outbox."""
    prefix = uuid.uuid4().hex[:6]
    connections = [connect(url) for _ in range(clients)]

    def insert(i: int) -> None:
        body = payload(ref, i)
        values = (f"B{prefix}{i}", body["category"], body["description"], body["location_text"],
                  body["area"], ref.department, body["contact"]["channel_user_id"])  # fmt: skip
        connections[i % clients].execute(INSERT, values)

    try:
        return rate(count, clients, insert)
    finally:
        for connection in connections:
            connection.close()


def service_rate(settings: Settings, ref: Reference, count: int, clients: int, offset: int) -> float:
    """Tickets/s through TicketService.create (routing, deadline, audit, duplicates, outbox)."""
    container = bootstrap(settings)
    try:
        return rate(count, clients, lambda i: container.tickets.create(command(ref, offset + i)) and None)
    finally:
        container.engine.dispose()


async def _http_rate(base: str, ref: Reference, count: int, clients: int, offset: int) -> float:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    queue = list(range(offset, offset + count))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            while queue:
                i = queue.pop()
                answer = await http.post("/api/v1/tickets", json=payload(ref, i),
                                         headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
                answer.raise_for_status()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return count / (time.perf_counter() - start)


def run(count: int) -> None:
    """Measure and print the ticket-creation table."""
    note(f"ticket creation: {count} tickets per measurement")
    with bench_database() as url, tempfile.TemporaryDirectory() as media:
        ref = reference(url)
        settings = Settings(database_url=url, service_token=TOKEN, media_dir=Path(media))
        rows = []
        for clients in (1, CLIENTS):
            service = service_rate(settings, ref, count, clients, offset=clients * 10 * count)
            env = {"DATABASE_URL": url, "SERVICE_TOKEN": TOKEN, "MEDIA_DIR": media, "REDIS_URL": ""}
            with backend(env) as base:
                http = asyncio.run(_http_rate(base, ref, count, clients, offset=clients * 20 * count))
            insert = bare_insert(url, ref, count, clients)
            rows.append([clients, service, http, insert, f"{100 * service / insert:.0f} %"])
        table(
            f"Ticket creation with routing, PostgreSQL ({count} tickets per cell)",
            [
                "clients",
                "service tickets/s",
                "HTTP API tickets/s",
                "baseline: bare INSERT rows/s",
                "service / bare INSERT",
            ],  # fmt: skip
            rows,
        )
