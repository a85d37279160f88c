"""Capped inbox counts: past INBOX_COUNT_CAP matches the total and the counts per status are lower
bounds, said so in the API and shown as "3+" on the page; pages still go on while rows exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from console_testkit import create_ticket, login, token
from fastapi.testclient import TestClient
from sqlalchemy import event

from backend.bootstrap import bootstrap
from backend.domain.access import Principal, Role
from backend.entrypoints.app import create_app
from backend.entrypoints.console.rendering import number
from backend.services.ticket_filters import TicketFilter
from backend.services.ticket_queries import Sort, TicketQueries
from backend.settings import Settings

INBOX = "/api/v1/console/tickets"
CAP = 3


@pytest.fixture(scope="module")
def capped(backend_settings: Settings, accounts: dict[str, str]) -> Iterator[TestClient]:
    """The dispatcher signed in to an app (same database) whose inbox counts stop after CAP rows."""
    container = bootstrap(backend_settings.model_copy(update={"inbox_count_cap": CAP}))
    client = TestClient(create_app(container=container))
    assert login(client, accounts["dispatcher"]).status_code == 200
    yield client
    container.engine.dispose()


@pytest.fixture
def filed(api_client: TestClient, service_headers: dict[str, str]) -> Callable[[int], tuple[str, list[str]]]:
    """Files n tickets sharing a fresh marker: (marker, codes in filing order)."""

    def file(n: int) -> tuple[str, list[str]]:
        marker = token()
        return marker, [create_ticket(api_client, service_headers, marker) for _ in range(n)]

    return file


def state(page: dict[str, Any]) -> tuple[int, bool, bool]:
    """(total, total_capped, counts_capped) of an inbox answer."""
    return page["total"], page["total_capped"], page["counts_capped"]


def test_counts_past_the_cap_are_lower_bounds_and_pages_go_on(
    capped: TestClient, client_as: Callable[[str], TestClient], filed: Callable[[int], tuple[str, list[str]]]
) -> None:
    marker, created = filed(5)
    moved = client_as("dispatcher").post(
        f"{INBOX}/{created[0]}/status", json={"status": "in_progress", "reason": "đã cử người"}
    )
    assert moved.status_code == 200
    first = capped.get(INBOX, params={"q": marker, "page_size": 2}).json()
    assert state(first) == (CAP, True, True)
    assert sum(first["counts"].values()) == CAP + 1 and first["has_next"] is True
    second = capped.get(INBOX, params={"q": marker, "page_size": 2, "page": 2}).json()
    last = capped.get(INBOX, params={"q": marker, "page_size": 2, "page": 3}).json()
    assert second["has_next"] is True and last["has_next"] is False
    listed = [i["code"] for p in (first, second, last) for i in p["items"]]
    assert listed == created[::-1]
    chosen = capped.get(INBOX, params={"q": marker, "status": "in_progress"}).json()
    assert state(chosen) == (1, False, True)
    assert [i["code"] for i in chosen["items"]] == [created[0]] and chosen["has_next"] is False


def test_counts_under_the_cap_stay_exact(
    capped: TestClient, client_as: Callable[[str], TestClient], filed: Callable[[int], tuple[str, list[str]]]
) -> None:
    marker, created = filed(CAP)
    for client in (capped, client_as("dispatcher")):
        page = client.get(INBOX, params={"q": marker}).json()
        assert state(page) == (CAP, False, False)
        assert page["counts"]["assigned"] == CAP and page["has_next"] is False
        assert sorted(i["code"] for i in page["items"]) == sorted(created)


def test_the_inbox_page_shows_a_capped_count_with_a_plus(
    capped: TestClient, filed: Callable[[int], tuple[str, list[str]]]
) -> None:
    marker, _ = filed(CAP + 2)
    html = capped.get("/console", params={"q": marker}).text
    assert "Tất cả <b>3+</b>" in html and "3+ phản ánh · trang 1/1+" in html
    assert 'rel="next"' not in html  # 5 rows fit on the first page of 25
    none = capped.get("/console", params={"q": marker, "status": "in_progress"}).text
    assert "0 phản ánh · trang 1/1 ·" in none and "Tất cả <b>3+</b>" in none


def test_numbers_use_the_vietnamese_thousands_separator() -> None:
    assert [number(n) for n in (7, 10_000, 1_234_567)] == ["7", "10.000", "1.234.567"]


def test_the_chosen_statuses_total_is_counted_beside_the_counts_per_status(
    backend_settings: Settings, filed: Callable[[int], tuple[str, list[str]]]
) -> None:
    """A common phrase with statuses chosen: the total's capped count runs on a second pooled
    connection while the counts per status run on the first (two trigram bitmaps at once), without
    index scans (see ticket_counts._chosen_count), and stays exact under the cap while the counts
    per status are capped."""
    marker, _ = filed(CAP + 2)
    container = bootstrap(backend_settings.model_copy(update={"inbox_count_cap": CAP}))
    held, most = [0], [0]

    def checkout(*_: Any) -> None:
        held[0] += 1
        most[0] = max(most[0], held[0])

    def checkin(*_: Any) -> None:
        held[0] -= 1

    statements: list[str] = []
    event.listen(container.engine, "checkout", checkout)
    event.listen(container.engine, "checkin", checkin)
    event.listen(container.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    queries = TicketQueries(container.session_factory, container.clock, CAP)
    dispatcher = Principal(1, "dispatcher", "Dispatcher", Role.DISPATCHER, None)
    try:
        chosen = queries.list(dispatcher, TicketFilter(statuses=("assigned",), text=marker), Sort())
        assert (chosen.total, chosen.total_capped, chosen.counts_capped) == (CAP, True, True)
        assert most[0] == 2
        # the status and trigram bitmaps, AND-ed: not a status index walked with the text re-checked
        assert "SET LOCAL enable_indexscan = off" in statements
        none = queries.list(dispatcher, TicketFilter(statuses=("in_progress",), text=marker), Sort())
        assert (none.total, none.total_capped, none.counts_capped) == (0, False, True)
        most[0] = 0
        everything = queries.list(dispatcher, TicketFilter(text=marker), Sort())
        assert (everything.total, everything.total_capped, most[0]) == (CAP, True, 1)
    finally:
        container.engine.dispose()
