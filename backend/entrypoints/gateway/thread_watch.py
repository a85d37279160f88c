"""Web chat sockets learn that their thread grew without each reading the database on a timer.

Wake-ups written by this process (and, with Redis, by every process) reach a socket at once through
the fan-out. What the fan-out cannot carry (the worker's writes without Redis, a lost wake-up) is
found by one task per process: on a timer it reads the newest turn of every watched thread in one
query, however many sockets are open, and wakes only the sockets that have not sent that turn yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from backend.adapters.db.engine import SessionFactory
from backend.adapters.db.gateway_repository import SqlConversationRepository
from backend.adapters.redis.fanout import AbstractFanOut
from channels import Channel

logger = logging.getLogger(__name__)
NewestTurns = Callable[[Sequence[str]], dict[str, int]]


@dataclass(eq=False)
class Watch:
    """One socket's view of its thread: the last turn it sent, and its wake-up."""

    session_id: str
    after: int
    woken: asyncio.Event


class ThreadWatcher:
    """Wakes the sockets whose thread has turns they have not sent (one reader per process)."""

    def __init__(self, fanout: AbstractFanOut, newest_turns: NewestTurns, period: float) -> None:
        self.fanout = fanout
        self.newest_turns = newest_turns
        self.period = period
        self._watches: set[Watch] = set()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def watch(self, session_id: str, after: int) -> AsyncIterator[Watch]:
        """Watch a session's thread while the block runs."""
        async with self.fanout.subscribe(session_id) as woken:
            watch = Watch(session_id, after, woken)
            self._watches.add(watch)
            self._ensure_running()
            try:
                yield watch
            finally:
                self._watches.discard(watch)

    async def look(self) -> None:
        """Read the newest turn of every watched thread; wake the sockets that are behind."""
        watches = list(self._watches)
        if not watches:
            return
        newest = await asyncio.to_thread(self.newest_turns, sorted({w.session_id for w in watches}))
        for watch in watches:
            if newest.get(watch.session_id, 0) > watch.after:
                watch.woken.set()

    async def close(self) -> None:
        """Stop the reader."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def _ensure_running(self) -> None:
        task, loop = self._task, asyncio.get_running_loop()
        if task is None or task.done() or task.get_loop() is not loop:
            self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        while self._watches:
            await asyncio.sleep(self.period)
            try:
                await self.look()
            except Exception:
                logger.warning("web chat threads not read; trying again", exc_info=True)


def newest_webchat_turns(session_factory: SessionFactory) -> NewestTurns:
    """The reader of the newest turn id of web chat sessions, on these sessions."""

    def read(session_ids: Sequence[str]) -> dict[str, int]:
        with session_factory() as session:
            return SqlConversationRepository(session).last_turn_ids(Channel.WEBCHAT.value, session_ids)

    return read
