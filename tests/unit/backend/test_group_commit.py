"""Group commit: concurrent items share one write, each caller gets its own result after it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from backend.services.group_commit import GroupCommit


class Store:
    """A write_many that records its batches and refuses negative numbers."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def write_many(self, items: Sequence[int]) -> list[int]:
        if any(item < 0 for item in items):
            raise ValueError("negative")
        self.batches.append(list(items))
        return [item * 10 for item in items]


async def test_concurrent_items_share_writes_and_each_gets_its_result() -> None:
    store = Store()
    writer = GroupCommit(store.write_many)

    results = await asyncio.gather(*(writer.submit(i) for i in range(50)))

    assert results == [i * 10 for i in range(50)]
    assert sorted(item for batch in store.batches for item in batch) == list(range(50))
    assert len(store.batches) < 50  # items that arrived during a write went in together


async def test_batches_are_capped() -> None:
    store = Store()
    writer = GroupCommit(store.write_many, max_batch=7)

    await asyncio.gather(*(writer.submit(i) for i in range(30)))

    assert max(len(batch) for batch in store.batches) <= 7


async def test_a_bad_item_fails_only_its_own_caller() -> None:
    store = Store()
    writer = GroupCommit(store.write_many)

    results = await asyncio.gather(*(writer.submit(i) for i in (1, -1, 2)), return_exceptions=True)

    assert results[0] == 10 and results[2] == 20
    assert isinstance(results[1], ValueError)
    assert [1] in store.batches and [2] in store.batches


def test_a_writer_survives_a_new_event_loop() -> None:
    store = Store()
    writer = GroupCommit(store.write_many)

    assert asyncio.run(writer.submit(1)) == 10
    assert asyncio.run(writer.submit(2)) == 20


async def test_each_committed_result_is_handed_on_even_when_its_caller_went_away() -> None:
    store, handed = Store(), []
    writer = GroupCommit(store.write_many, committed=handed.append)

    kept = asyncio.ensure_future(writer.submit(1))
    gone = asyncio.ensure_future(writer.submit(2))
    await asyncio.sleep(0)  # both are queued for the write
    gone.cancel()  # the client disconnected before its answer
    failed = await asyncio.gather(writer.submit(-1), return_exceptions=True)

    assert await kept == 10 and gone.cancelled()
    assert sorted(handed) == [10, 20]  # the cancelled item's result too; the failed one has none
    assert isinstance(failed[0], ValueError)
