"""RASA_URL names several Rasa replicas: the gateway's client sends messages to them in turn, and
skips a replica whose port refuses the connection (the message was not sent, so no replica can
answer it twice). Only when none can be reached is Rasa unavailable (the message stays pending)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from backend.adapters.rasa_client import RasaClient, RasaUnavailable
from tests.integration.gateway.fake_rasa import FAKE_GATEWAY_TOKEN, FakeRasaServer


@pytest.fixture
def replicas() -> Iterator[tuple[FakeRasaServer, FakeRasaServer]]:
    """Two fake Rasa replicas."""
    with FakeRasaServer() as first, FakeRasaServer() as second:
        yield first, second


async def _send_all(base_url: str, messages: list[str]) -> list[str]:
    client = RasaClient(base_url, 10.0, FAKE_GATEWAY_TOKEN)
    try:
        return [(await client.send("telegram:1", message, {}))[0].text for message in messages]
    finally:
        await client.close()


def test_replicas_take_the_messages_in_turn(replicas: tuple[FakeRasaServer, FakeRasaServer]) -> None:
    first, second = replicas
    messages = ["một", "hai", "ba", "bốn"]

    texts = asyncio.run(_send_all(f"{first.base_url}, {second.base_url}", messages))

    assert texts == [f"Bot đã nhận: {message}" for message in messages]
    assert (first.messages_from("telegram:1"), second.messages_from("telegram:1")) == (
        ["một", "ba"],
        ["hai", "bốn"],
    )


def test_a_replica_that_refuses_connections_is_skipped(
    replicas: tuple[FakeRasaServer, FakeRasaServer],
) -> None:
    first, second = replicas
    urls = f"{first.base_url},{second.base_url}"
    second.stop()

    texts = asyncio.run(_send_all(urls, ["một", "hai", "ba"]))

    assert len(texts) == 3 and first.messages_from("telegram:1") == ["một", "hai", "ba"]


def test_no_replica_reachable_is_rasa_unavailable(replicas: tuple[FakeRasaServer, FakeRasaServer]) -> None:
    first, second = replicas
    urls = f"{first.base_url},{second.base_url}"
    first.stop()
    second.stop()

    with pytest.raises(RasaUnavailable, match="no Rasa replica reachable"):
        asyncio.run(_send_all(urls, ["một"]))
