"""Every change a citizen must hear about writes outbox rows in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from backend_testkit import create, set_status
from fastapi.testclient import TestClient

from backend.adapters.db.models import OutboxMessage, utcnow
from backend.bootstrap import Container
from backend.domain.errors import InvalidInput
from backend.services.commands import ChangeStatus


def outbox(container: Container, code: str) -> list[OutboxMessage]:
    with container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        return list(uow.outbox.for_ticket(ticket.id))


def kinds(container: Container, code: str) -> list[str]:
    return [row.kind for row in outbox(container, code)]


def test_lifecycle_writes_one_row_per_change(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, body = create(api_client, service_headers)
    set_status(api_client, service_headers, code, "in_progress")
    api_client.post(f"/api/v1/tickets/{code}/notes", json={"text": "gọi đội 2"}, headers=service_headers)
    api_client.post(
        f"/api/v1/tickets/{code}/replies", json={"text": "Chiều nay đội sẽ tới."}, headers=service_headers
    )
    set_status(api_client, service_headers, code, "resolved", "Đã thu gom toàn bộ rác.")
    rows = outbox(backend_container, code)
    assert [r.kind for r in rows] == ["received", "in_progress", "official_reply", "resolved"]
    first = rows[0]
    assert (first.channel, first.channel_user_id) == ("telegram", body["contact"]["channel_user_id"])
    assert (first.state, first.attempts) == ("pending", 0)
    assert code in first.payload["text"]
    assert "Chiều nay đội sẽ tới." in rows[2].payload["text"]
    assert "Đã thu gom toàn bộ rác." in rows[3].payload["text"]
    assert len(rows[3].payload["buttons"]) == 5
    assert len({r.idempotency_key for r in rows}) == 4


def test_rejection_carries_the_referral(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    assert set_status(api_client, service_headers, code, "rejected").status_code == 422
    response = set_status(api_client, service_headers, code, "rejected", "Điện lực Hội An, 1900 1909")
    assert response.status_code == 200
    row = outbox(backend_container, code)[-1]
    assert row.kind == "rejected" and "Điện lực Hội An" in row.payload["text"]


def test_forbidden_change_writes_nothing(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    response = set_status(api_client, service_headers, code, "closed")
    assert response.status_code == 409
    assert "cannot change status from assigned to closed" in response.json()["detail"]
    assert kinds(backend_container, code) == ["received"]


def test_refused_resolution_leaves_no_outbox_row(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    with pytest.raises(InvalidInput):
        backend_container.workflow.change_status(ChangeStatus(code, "resolved", "tester", ""))
    assert kinds(backend_container, code) == ["received"]


def test_duplicate_citizen_hears_about_the_original(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    original, first = create(api_client, service_headers)
    duplicate, second = create(api_client, service_headers)
    response = api_client.post(
        f"/api/v1/tickets/{duplicate}/duplicate-of", json={"original_code": original}, headers=service_headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate" and response.json()["duplicate_of"] == original
    set_status(api_client, service_headers, original, "in_progress")
    rows = [r for r in outbox(backend_container, original) if r.kind == "in_progress"]
    recipients = {r.channel_user_id for r in rows}
    assert recipients == {first["contact"]["channel_user_id"], second["contact"]["channel_user_id"]}
    assert kinds(backend_container, duplicate) == ["received", "duplicate"]


def test_worker_claims_delivers_retries_and_dead_letters(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    for _ in range(3):
        create(api_client, service_headers)
    future = utcnow() + timedelta(seconds=1)
    with backend_container.uow_factory() as uow:
        claimed = list(uow.outbox.claim_batch(limit=3, now=future))
        uow.commit()
    assert len(claimed) == 3 and all(r.state == "sending" and r.attempts >= 1 for r in claimed)
    with backend_container.uow_factory() as uow:
        assert not {r.id for r in uow.outbox.claim_batch(limit=500, now=future)} & {r.id for r in claimed}
        uow.rollback()
    delivered, retried, dead = (r.id for r in claimed)
    with backend_container.uow_factory() as uow:
        uow.outbox.mark_delivered(delivered)
        uow.outbox.schedule_retry(retried, "HTTP 502", timedelta(seconds=30))
        uow.outbox.dead_letter(dead, "chat not found")
        uow.commit()
    with backend_container.uow_factory() as uow:
        rows = {r.id: r for r in uow.outbox.claim_batch(limit=1000, now=future + timedelta(minutes=1))}
        uow.rollback()
    assert retried in rows and delivered not in rows and dead not in rows
