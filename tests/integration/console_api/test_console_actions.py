"""Console actions: each writes its audit entry, and the citizen's outbox row where due."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from console_testkit import Clock, create_ticket, login, token
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.services.handoff import is_handed_off

TICKETS = "/api/v1/console/tickets"


@pytest.fixture
def code(api_client: TestClient, service_headers: dict[str, str]) -> str:
    """A fresh ticket of the officer's department (Hội An environment)."""
    return create_ticket(api_client, service_headers, token())


@pytest.fixture
def elsewhere(api_client: TestClient, service_headers: dict[str, str]) -> str:
    """A fresh ticket of another department (Tam Kỳ environment), hidden from the officer."""
    return create_ticket(api_client, service_headers, token(), area="Tân Thạnh")


def detail(client: TestClient, code: str) -> dict[str, Any]:
    """The ticket page's data."""
    response = client.get(f"{TICKETS}/{code}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def last_audit(client: TestClient, code: str) -> dict[str, Any]:
    """The newest audit entry."""
    return dict(detail(client, code)["audit"][-1])


def kinds(client: TestClient, code: str) -> list[str]:
    """The outbox kinds written for the ticket, oldest first."""
    return [d["kind"] for d in detail(client, code)["deliveries"]]


def test_status_change_with_reason(client_as: Callable[[str], TestClient], code: str) -> None:
    officer = client_as("officer")
    response = officer.post(f"{TICKETS}/{code}/status", json={"status": "in_progress", "reason": "đã cử đội"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    entry = last_audit(officer, code)
    assert (entry["actor"], entry["action"], entry["details"]["text"]) == (
        "officer:can.bo.hoian",
        "status_changed",
        "đã cử đội",
    )
    assert kinds(officer, code) == ["received", "in_progress"]
    forbidden = officer.post(f"{TICKETS}/{code}/status", json={"status": "closed"})
    assert forbidden.status_code == 409
    no_answer = officer.post(f"{TICKETS}/{code}/status", json={"status": "resolved"})
    assert no_answer.status_code == 422


def test_reply_reaches_the_outbox_with_a_delivery_state(
    client_as: Callable[[str], TestClient], code: str
) -> None:
    officer = client_as("officer")
    response = officer.post(
        f"{TICKETS}/{code}/replies", json={"text": "Chúng tôi đã tiếp nhận, sẽ xử lý ngay."}
    )
    assert response.status_code == 200
    page = detail(officer, code)
    reply = page["deliveries"][-1]
    assert reply["kind"] == "official_reply" and reply["state"] in {"pending", "sending", "delivered"}
    assert "sẽ xử lý ngay" in reply["text"]
    assert page["thread"][-1]["author_kind"] == "official"
    assert page["thread"][-1]["author_name"] == "officer:can.bo.hoian"
    assert page["audit"][-1]["action"] == "replied"


def test_internal_note_is_audited_and_never_sent(client_as: Callable[[str], TestClient], code: str) -> None:
    officer = client_as("officer")
    assert officer.post(f"{TICKETS}/{code}/notes", json={"text": "Cần phối hợp phường"}).status_code == 200
    page = detail(officer, code)
    assert page["thread"][-1] == {
        **page["thread"][-1],
        "author_kind": "internal_note",
        "body": "Cần phối hợp phường",
    }
    assert page["audit"][-1]["action"] == "noted"
    assert kinds(officer, code) == ["received"]


def test_forward_to_another_department_reroutes_and_hides_it_from_the_officer(
    client_as: Callable[[str], TestClient],
    past: TestClient,
    past_clock: Clock,
    service_headers: dict[str, str],
    accounts: dict[str, str],
) -> None:
    # Filed Mon 9/3/2026 10:00 local: 5 working days → Mon 16/3; forwarded Wed 11/3 → Wed 18/3 (17:00 local).
    past_clock.now = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
    code = create_ticket(past, service_headers, token())
    officer, dispatcher = TestClient(past.app), client_as("dispatcher")
    assert login(officer, accounts["officer"]).status_code == 200
    assert detail(officer, code)["ticket"]["due_at"] == "2026-03-16T17:00:00+07:00"
    past_clock.now = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    body = {"department": "tam_ky_environment", "reason": "Địa điểm thuộc Tam Kỳ"}
    response = officer.post(f"{TICKETS}/{code}/reroute", json=body)
    assert response.status_code == 200 and response.json()["department"]["code"] == "tam_ky_environment"
    assert officer.get(f"{TICKETS}/{code}").status_code == 404
    page = detail(dispatcher, code)
    entry = page["audit"][-1]
    assert entry["action"] == "rerouted" and entry["details"]["reason"] == "Địa điểm thuộc Tam Kỳ"
    assert entry["details"]["to_department"] == "tam_ky_environment"
    assert page["deliveries"][-1]["kind"] == "assigned"
    assert page["ticket"]["due_at"] == "2026-03-18T17:00:00+07:00"
    assert client_as("other_officer").get(f"{TICKETS}/{code}").status_code == 200


def test_recategorise_reroutes_by_the_new_category(client_as: Callable[[str], TestClient], code: str) -> None:
    dispatcher = client_as("dispatcher")
    body = {"category": "traffic", "reason": "Thực chất là lấn chiếm lòng đường"}
    response = dispatcher.post(f"{TICKETS}/{code}/reroute", json=body)
    assert response.status_code == 200 and response.json()["category"] == "traffic"
    assert detail(dispatcher, code)["audit"][-1]["details"]["to_category"] == "traffic"


def test_mark_duplicate_links_the_tickets(
    client_as: Callable[[str], TestClient], code: str, api_client: TestClient, service_headers: dict[str, str]
) -> None:
    original = create_ticket(api_client, service_headers, token())
    officer = client_as("officer")
    response = officer.post(f"{TICKETS}/{code}/duplicate-of", json={"original_code": original})
    assert response.status_code == 200 and response.json()["status"] == "duplicate"
    page = detail(officer, code)
    assert page["duplicate_of"] == original and page["audit"][-1]["action"] == "marked_duplicate"
    assert page["deliveries"][-1]["kind"] == "duplicate"
    assert {"code": code, "relation": "duplicate"} in detail(officer, original)["related"]


def test_an_officer_cannot_mark_a_duplicate_of_a_ticket_they_may_not_see(
    client_as: Callable[[str], TestClient], code: str, elsewhere: str
) -> None:
    """Another department's original is answered like a code that does not exist, and nothing changes."""
    officer = client_as("officer")
    hidden = officer.post(f"{TICKETS}/{code}/duplicate-of", json={"original_code": elsewhere})
    missing = officer.post(f"{TICKETS}/{code}/duplicate-of", json={"original_code": "PA-2020-999999"})
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404
    page = detail(officer, code)
    assert page["ticket"]["status"] != "duplicate" and page["duplicate_of"] is None
    related = detail(client_as("dispatcher"), elsewhere)["related"]
    assert {"code": code, "relation": "duplicate"} not in related


def test_the_console_form_cannot_mark_a_duplicate_of_a_hidden_ticket(
    client_as: Callable[[str], TestClient], code: str, elsewhere: str
) -> None:
    officer = client_as("officer")
    response = officer.post(f"/console/tickets/{code}/duplicate", data={"original": elsewhere})
    assert "Không tìm thấy phản ánh." in response.text
    assert detail(officer, code)["duplicate_of"] is None


def test_take_over_and_hand_back_the_conversation(
    client_as: Callable[[str], TestClient], code: str, backend_container: Container
) -> None:
    officer = client_as("officer")
    contact = officer.get(f"{TICKETS}/{code}/contact").json()
    channel, user_id = contact["channel"], contact["channel_user_id"]
    taken = officer.post(f"{TICKETS}/{code}/handoff")
    assert taken.status_code == 200 and taken.json()["official_username"] == "can.bo.hoian"
    assert is_handed_off(backend_container.session_factory, channel, user_id)
    assert detail(officer, code)["handoff"]["official_name"] == "Lê Cán Bộ"
    assert client_as("dispatcher").post(f"{TICKETS}/{code}/handoff").status_code == 409
    assert officer.delete(f"{TICKETS}/{code}/handoff").status_code == 200
    assert not is_handed_off(backend_container.session_factory, channel, user_id)
    actions = [a["action"] for a in detail(officer, code)["audit"]]
    assert actions[-2:] == ["handoff_started", "handoff_ended"]
    assert officer.delete(f"{TICKETS}/{code}/handoff").status_code == 409


@pytest.mark.parametrize("attempt", range(4))  # a race: several tries to make it likely
def test_concurrent_take_overs_give_one_official_the_conversation_and_the_others_409(
    client_as: Callable[[str], TestClient], code: str, attempt: int
) -> None:
    clients = [client_as("officer"), client_as("dispatcher")] * 4
    start = threading.Barrier(len(clients))

    def take_over(client: TestClient) -> Any:
        start.wait()
        return client.post(f"{TICKETS}/{code}/handoff")

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(take_over, clients))

    holder = detail(clients[0], code)["handoff"]["official_name"]
    assert all(a.status_code in (200, 409) for a in answers), [a.text for a in answers]
    assert {a.json()["official_name"] for a in answers if a.status_code == 200} == {holder}


def test_bulk_assign_and_status_change(
    client_as: Callable[[str], TestClient], api_client: TestClient, service_headers: dict[str, str]
) -> None:
    marker = token()
    codes = [create_ticket(api_client, service_headers, marker) for _ in range(3)]
    dispatcher = client_as("dispatcher")
    body = {"codes": [*codes, "PA-1999-000001"], "department": "hoi_an_police", "reason": "Điều phối lại"}
    response = dispatcher.post(f"{TICKETS}/bulk", json=body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, True, True, False]
    assert {r["department"] for r in results[:3]} == {"hoi_an_police"}
    moved = dispatcher.post(
        f"{TICKETS}/bulk", json={"codes": codes, "status": "in_progress", "reason": "Bắt đầu"}
    )
    assert moved.json()["ok"] == 3
    for ticket in codes:
        assert [a["action"] for a in detail(dispatcher, ticket)["audit"]][-2:] == [
            "rerouted",
            "status_changed",
        ]


def test_canned_responses_per_category(client_as: Callable[[str], TestClient]) -> None:
    everything = client_as("officer").get("/api/v1/console/canned-responses").json()
    assert len(everything) == 7 and all(len(replies) >= 3 for replies in everything.values())
    one = client_as("officer").get("/api/v1/console/canned-responses", params={"category": "traffic"}).json()
    assert list(one) == ["traffic"] and "giao thông" in one["traffic"][0]["text"]
