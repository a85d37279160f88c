"""Live inbox wake-ups: a commit adding a ticket on one replica wakes consoles on another."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from backend.bootstrap import Container
from backend.entrypoints.console.live import TOPIC, build_feed, current_watermark, publish_on_commit
from backend.services.commands import Contact, CreateTicket
from backend.settings import Settings


def test_a_new_ticket_wakes_another_replica_through_redis(
    backend_settings: Settings, backend_container: Container
) -> None:
    assert backend_settings.redis_url
    # A loop of its own: the browser suites keep one running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        code = pool.submit(asyncio.run, _scenario(backend_settings, backend_container)).result(30)
    with backend_container.session_factory() as session:
        assert current_watermark(session, None).ticket_id > 0
        assert current_watermark(session, "no_such_department").ticket_id == 0
    assert code.startswith("PA-")


async def _scenario(backend_settings: Settings, backend_container: Container) -> str:
    writer = build_feed(backend_settings)  # replica A: publishes on commit
    reader = build_feed(backend_settings)  # replica B: an open console's event stream
    publish_on_commit(backend_container.session_factory, writer)
    async with reader.fanout.subscribe(TOPIC) as woken:
        command = CreateTicket(
            "environment",
            "Rác thải ven sông",
            Contact("telegram", str(uuid.uuid4().int % 10**9)),
            area="Tân Thạnh",
        )
        code = (await asyncio.to_thread(backend_container.tickets.create, command)).view.code
        await asyncio.wait_for(woken.wait(), 10)
    await reader.close()
    await writer.close()
    return str(code)
