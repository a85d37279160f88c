"""The inbox: filters, free text, sort, pagination, counts per status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from console_testkit import Clock, create_ticket, token
from fastapi.testclient import TestClient

from backend.adapters.db.reference_repository import SqlReferenceRepository
from backend.bootstrap import Container

INBOX = "/api/v1/console/tickets"


def codes(response: object) -> list[str]:
    """The ticket codes of an inbox answer."""
    return [item["code"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_free_text_ignores_case_and_diacritics_and_matches_codes(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    code = create_ticket(api_client, service_headers, marker, location_text="Chợ Hội An, Đường Trần Phú")
    dispatcher = client_as("dispatcher")
    for query in ("cho hoi an", "CHỢ HỘI AN", "duong tran phu"):
        found = codes(dispatcher.get(INBOX, params={"q": query, "page_size": 200}))
        assert code in found, query
    assert codes(dispatcher.get(INBOX, params={"q": code})) == [code]
    assert codes(dispatcher.get(INBOX, params={"q": marker.upper()})) == [code]
    assert dispatcher.get(INBOX, params={"q": "100%_"}).json()["total"] == 0


def test_filters_by_status_category_unit_and_department_with_counts(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    env = create_ticket(api_client, service_headers, marker)
    traffic = create_ticket(api_client, service_headers, marker, category="traffic")
    tam_ky = create_ticket(api_client, service_headers, marker, area="Tân Thạnh")
    dispatcher = client_as("dispatcher")
    moved = dispatcher.post(
        f"{INBOX}/{traffic}/status", json={"status": "in_progress", "reason": "đã cử người"}
    )
    assert moved.status_code == 200
    base = {"q": marker, "sort": "code", "order": "asc"}
    assert codes(dispatcher.get(INBOX, params={**base, "status": "in_progress"})) == [traffic]
    assert codes(dispatcher.get(INBOX, params={**base, "status": "assigned,in_progress"})) == [
        env,
        traffic,
        tam_ky,
    ]
    assert codes(dispatcher.get(INBOX, params={**base, "category": "traffic"})) == [traffic]
    assert codes(dispatcher.get(INBOX, params={**base, "unit": "hoi_an_dong"})) == [env, traffic]
    assert codes(dispatcher.get(INBOX, params={**base, "department": "tam_ky_environment"})) == [tam_ky]
    counts = dispatcher.get(INBOX, params={**base, "status": "in_progress"}).json()["counts"]
    assert counts["assigned"] == 2 and counts["in_progress"] == 1 and counts["closed"] == 0


def test_sort_and_pagination_with_total(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    created = [create_ticket(api_client, service_headers, marker) for _ in range(5)]
    dispatcher = client_as("dispatcher")
    first = dispatcher.get(INBOX, params={"q": marker, "page_size": 2}).json()
    second = dispatcher.get(INBOX, params={"q": marker, "page_size": 2, "page": 3}).json()
    assert first["total"] == second["total"] == 5
    assert [i["code"] for i in first["items"]] == created[::-1][:2]  # newest first by default
    assert [i["code"] for i in second["items"]] == created[:1]
    ascending = dispatcher.get(INBOX, params={"q": marker, "sort": "code", "order": "asc"})
    assert codes(ascending) == created
    by_due = codes(dispatcher.get(INBOX, params={"q": marker, "sort": "due_at"}))
    assert sorted(by_due) == sorted(created)
    assert dispatcher.get(INBOX, params={"sort": "citizen_phone"}).status_code == 422
    assert dispatcher.get(INBOX, params={"page_size": 1000}).status_code == 422


def test_overdue_due_soon_and_date_range(
    client_as: Callable[[str], TestClient],
    api_client: TestClient,
    past: TestClient,
    past_clock: Clock,
    service_headers: dict[str, str],
) -> None:
    marker = token()
    past_clock.now = datetime(2025, 2, 10, 3, 0, tzinfo=UTC)
    old = create_ticket(past, service_headers, marker)
    fresh = create_ticket(api_client, service_headers, marker)
    dispatcher = client_as("dispatcher")
    overdue = dispatcher.get(INBOX, params={"q": marker, "overdue": True}).json()
    assert [i["code"] for i in overdue["items"]] == [old] and overdue["items"][0]["overdue"] is True
    assert codes(dispatcher.get(INBOX, params={"q": marker, "due_soon": True})) == []
    in_february = dispatcher.get(INBOX, params={"q": marker, "from": "2025-02-10", "to": "2025-02-10"})
    assert codes(in_february) == [old]
    assert fresh not in codes(dispatcher.get(INBOX, params={"q": marker, "to": "2025-12-31"}))


def _filed_to_fall_due_soon(container: Container, now: datetime) -> datetime:
    """A filing time in the past whose 3-working-day deadline is by the end of the next working day."""
    with container.session_factory() as session:
        calendar = SqlReferenceRepository(session).calendar(
            now.date() - timedelta(days=30), now.date() + timedelta(days=30)
        )
    limit = calendar.due_at(now, 1)
    for days_back in range(15):
        filed = now - timedelta(days=days_back)
        if now <= calendar.due_at(filed, 3) <= limit:
            return filed
    raise AssertionError("no filing time found")


def test_due_soon_lists_open_tickets_due_by_the_end_of_the_next_working_day(
    client_as: Callable[[str], TestClient],
    past: TestClient,
    past_clock: Clock,
    service_headers: dict[str, str],
    backend_container: Container,
) -> None:
    marker = token()
    now = datetime.now(UTC)
    past_clock.now = now
    later = create_ticket(past, service_headers, marker, category="security")
    past_clock.now = _filed_to_fall_due_soon(backend_container, now)
    soon = create_ticket(past, service_headers, marker, category="security")
    dispatcher = client_as("dispatcher")
    listed = dispatcher.get(INBOX, params={"q": marker, "due_soon": True}).json()["items"]
    assert [i["code"] for i in listed] == [soon] and listed[0]["due_soon"] is True
    everything = codes(dispatcher.get(INBOX, params={"q": marker}))
    assert sorted(everything) == sorted([later, soon])


def test_free_text_and_filters_on_sqlite(
    sqlite_app: tuple[TestClient, Callable[[str], TestClient], Clock],
) -> None:
    service, client_for, clock = sqlite_app
    clock.now = datetime.now(UTC)
    headers = {"Authorization": "Bearer t"}
    code = create_ticket(service, headers, token(), location_text="Chợ Hội An, Đường Trần Phú")
    other = create_ticket(service, headers, token(), category="traffic")
    dispatcher = client_for("dieu.phoi")
    assert codes(dispatcher.get(INBOX, params={"q": "CHO HOI AN"})) == [code]
    assert codes(dispatcher.get(INBOX, params={"q": "đường trần phú"})) == [code]
    assert codes(dispatcher.get(INBOX, params={"category": "traffic"})) == [other]
    page = dispatcher.get(INBOX, params={"sort": "code", "order": "asc", "page_size": 1}).json()
    assert page["total"] == 2 and [i["code"] for i in page["items"]] == [code]
    assert page["counts"]["assigned"] == 2
