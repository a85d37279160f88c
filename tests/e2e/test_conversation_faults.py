"""Conversations outlive Rasa processes. Two Rasa replicas sit behind the gateway (RASA_URL lists
both; it sends messages to them in turn) and share the SQL tracker store and the Redis lock store:
a citizen whose messages alternate between them holds one conversation; a citizen halfway through
the report form goes on after Rasa is killed (SIGKILL) and started again.
With Rasa's in-memory tracker store both fail: the replicas disagree, the restart forgets the form."""

from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.citizens import TelegramCitizen
from tests.e2e.conftest import E2E, WEBHOOK_SECRET, running_stack
from tests.e2e.journey import (
    FIRST_DESCRIPTION,
    REPORT,
    file_report,
    finish_report,
    report_until_the_photo,
    ticket_row,
    tickets_of,
    turn,
)


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    """The product with two Rasa replicas behind the gateway."""
    with running_stack(tmp_path_factory.mktemp("faults"), replicas=2) as e2e:
        yield e2e


def new_citizen(e2e: E2E) -> TelegramCitizen:
    """A Telegram citizen nobody has talked to yet."""
    return TelegramCitizen(e2e.url, WEBHOOK_SECRET, e2e.telegram, random.randint(10**8, 10**9))


def user_texts(e2e: E2E, port: int, sender: str) -> list[str]:
    """The citizen's messages in the conversation as the Rasa on ``port`` knows it (its HTTP API)."""
    response = httpx.get(
        f"http://127.0.0.1:{port}/conversations/{sender}/tracker",
        params={"token": e2e.stack.secrets.api_token}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return [event.get("text") or "" for event in response.json()["events"] if event["event"] == "user"]


def test_messages_alternating_between_two_replicas_make_one_conversation(replicated: E2E) -> None:
    citizen = new_citizen(replicated)
    sender = f"telegram:{citizen.chat_id}"

    code = file_report(citizen)

    ports = [replicated.stack.rasa_port, *replicated.stack.replica_ports]
    first, second = (user_texts(replicated, port, sender) for port in ports)
    assert first == second and REPORT in first  # both replicas know the whole conversation
    tickets = tickets_of(replicated.database_url, "telegram", citizen.chat_id)
    assert [ticket_code for ticket_code, _ in tickets] == [code]
    assert ticket_row(replicated.database_url, code)["photos"] >= 1


def test_a_report_in_progress_survives_rasa_killed_and_started_again(replicated: E2E) -> None:
    replicated.stack.kill("rasa1")  # one Rasa left: the gateway skips the replica that is down
    citizen = new_citizen(replicated)
    report_until_the_photo(citizen, FIRST_DESCRIPTION)

    replicated.stack.restart(replicated.stack.kill("rasa"))
    replicated.stack.wait_rasa(replicated.stack.rasa_port)
    code = finish_report(citizen, turn(citizen, "send_photo"))

    assert tickets_of(replicated.database_url, "telegram", citizen.chat_id) == [(code, FIRST_DESCRIPTION)]
    assert ticket_row(replicated.database_url, code)["photos"] >= 1
