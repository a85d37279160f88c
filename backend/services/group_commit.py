"""Group commit: concurrent callers share one transaction, and each gets its own result only
after that transaction has committed (so a webhook still answers after its message is stored)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
In = TypeVar("In")
Out = TypeVar("Out")


class GroupCommit(Generic[In, Out]):
    """Batches items submitted while a write is running into the next write.

    ``write_many`` (blocking; run in a worker thread) stores a batch in one transaction and
    returns one result per item. A batch that fails is retried item by item, so one bad item
    fails only its own caller. No background task outlives its batch: the first caller that
    finds the writer idle starts a flush that runs while items keep arriving. ``committed``, if
    given, is called with each result right after its COMMIT, also when that caller has gone
    away (work the result starts is never dropped); the caller resumes one loop step later, so
    the first step of that work (e.g. a request to Rasa) goes out before the webhook's answer."""

    def __init__(
        self,
        write_many: Callable[[Sequence[In]], list[Out]],
        max_batch: int = 200,
        committed: Callable[[Out], None] | None = None,
    ) -> None:
        self._write_many = write_many
        self._max_batch = max_batch
        self._committed = committed
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def submit(self, item: In) -> Out:
        """Store ``item`` with whatever else is waiting; return its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Out] = loop.create_future()
        if self._flushing is not None and self._flushing.get_loop() is not loop:  # a new event loop
            self._flushing, self._queue = None, [q for q in self._queue if q[1].get_loop() is loop]
        self._queue.append((item, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            await self._write(batch)

    async def _write(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            results = await asyncio.to_thread(self._write_many, [item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _resolve(batch[0][1], error=exc)
                return
            logger.warning("group commit of %d items failed (%s); writing them one by one", len(batch), exc)
            for single in batch:
                await self._write([single])
            return
        loop = asyncio.get_running_loop()
        for (_, future), result in zip(batch, results, strict=True):
            self._after_commit(result)
            loop.call_soon(_resolve, future, result)  # after the first step of what it started

    def _after_commit(self, result: Out) -> None:
        if self._committed is None:
            return
        try:
            self._committed(result)
        except Exception:
            logger.exception("handling a committed item failed")


def _resolve(future: asyncio.Future[Out], result: Out | None = None, error: Exception | None = None) -> None:
    if future.done():  # the caller went away (client disconnected): nothing to tell
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
