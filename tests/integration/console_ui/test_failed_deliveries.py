"""The failed-deliveries page and its API: outbox rows that ended dead or undeliverable through the
real delivery path (fake Telegram and Zalo), with and without a ticket; Vietnamese labels, masked
recipients, filters, sending a dead row again until the worker delivers it, and who may; and the
sibling list of inbound messages the gateway parked."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from console_ui_kit import PASSWORD, file_ticket, page_token, sign_in
from fastapi.testclient import TestClient

from backend.adapters.db.base import utcnow
from backend.adapters.db.models import OutboxMessage
from backend.adapters.db.outbox_repository import SqlOutboxRepository
from backend.bootstrap import Container, bootstrap
from backend.entrypoints.app import create_app
from backend.entrypoints.gateway.wiring import build_gateway
from backend.services.user_service import UserService
from backend.settings import Settings
from tests.conftest import TEST_SERVICE_TOKEN, isolated_database
from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes import zalo_webhooks as zw
from tests.polling import wait_until

ACCOUNTS = {
    "dispatcher": ("fd.dieuphoi", "Trần Điều Phối", "dispatcher", None),
    "officer": ("fd.tamky", "Lê Tam Kỳ", "officer", "tam_ky_environment"),
    "other_officer": ("fd.hoian", "Võ Hội An", "officer", "hoi_an_environment"),
    "leader": ("fd.lanhdao", "Đặng Lãnh Đạo", "leader", None),
}
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
RATE_LIMITED_TEXT = "Anh/chị đang gửi quá nhiều tin nhắn"
SERIALS = itertools.count(10)


@dataclass
class Stack:
    """The app on a database of its own, the fake channels, and worker passes."""

    settings: Settings
    container: Container
    client: TestClient
    telegram: FakeTelegramServer
    zalo: FakeZaloServer

    def signed_in(self, key: str) -> TestClient:
        """A browser-like client of the account `key` (its API calls carry the CSRF header)."""
        client = TestClient(self.client.app, follow_redirects=False)
        assert sign_in(client, ACCOUNTS[key][0], PASSWORD).status_code == 303
        client.headers["X-CSRF-Token"] = client.cookies["ioc_csrf"]
        return client

    def deliver(self, hours_later: int = 0) -> None:
        """Worker passes until nothing is due, at a clock `hours_later` from now."""
        now = utcnow() + timedelta(hours=hours_later)
        asyncio.run(_deliver(self.settings, now))

    def queue(self, channel: str, user_id: str, kind: str, text: str) -> None:
        """A ticketless row, as the gateway writes its bot replies and notices."""
        with self.container.session_factory() as session:
            SqlOutboxRepository(session).add(
                ticket_id=None, channel=channel, channel_user_id=user_id, kind=kind,
                payload={"text": text, "buttons": []}, idempotency_key=f"test:{uuid.uuid4().hex}",
            )  # fmt: skip
            session.commit()

    def state_of(self, row_id: int) -> tuple[str, int]:
        """A row's state and attempts."""
        with self.container.session_factory() as session:
            row = session.get_one(OutboxMessage, row_id)
            return row.state, row.attempts


async def _deliver(settings: Settings, now: Any) -> None:
    container = bootstrap(settings, clock=lambda: now)
    gateway = build_gateway(container)
    try:
        while await gateway.delivery.run_once():
            pass
    finally:
        await gateway.close()
        container.engine.dispose()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Telegram and Zalo fakes, the app on its own database (no other suite's rows), accounts."""
    media = tmp_path_factory.mktemp("failed-media")
    with FakeTelegramServer() as telegram, FakeZaloServer() as zalo, isolated_database("ioc_failed") as url:
        settings = Settings(
            database_url=url, redis_url=None, service_token=TEST_SERVICE_TOKEN, media_dir=media,
            public_base_url="http://testserver", outbox_backoff_base=1.0, outbox_max_attempts=2,
            telegram_bot_token=telegram.token, telegram_api_base_url=telegram.api_base_url,
            zalo_app_id=zalo.app_id, zalo_app_secret=zalo.app_secret, zalo_oa_secret_key="fd-oa-secret",
            zalo_access_token=zalo.access_token,
            zalo_refresh_token=zalo.refresh_token, zalo_api_base_url=zalo.base_url,
            zalo_oauth_base_url=zalo.base_url, zalo_token_file=media / "zalo_tokens.json",
        )  # fmt: skip
        container = bootstrap(settings)
        users = UserService(container.session_factory)
        for username, full_name, role, department in ACCOUNTS.values():
            users.create(username, PASSWORD, full_name, role, department)
        client = TestClient(create_app(container=container), follow_redirects=False)
        yield Stack(settings, container, client, telegram, zalo)
        container.engine.dispose()


@dataclass(frozen=True)
class Failures:
    code: str  # the ticket whose "received" notification died after the retry limit
    ticket_citizen: str
    notice_citizen: str  # a gateway notice Telegram rejected for good
    bot_citizen: str  # a bot reply Zalo refused (-230: outside the 7-day window)


def _fail(stack: Stack) -> Failures:
    """Three failed rows to three new citizens, through the worker and the fake channels."""
    serial = next(SERIALS)  # masked ids keep two characters at each end: distinct per call
    ticket_citizen, notice_citizen, bot_citizen = (
        f"{n}{uuid.uuid4().int % 10**6:06d}{serial}" for n in (71, 72, 88)
    )
    stack.queue("telegram", notice_citizen, "gateway_rate_limited", RATE_LIMITED_TEXT)
    stack.telegram.fail_next(1, 400, description="Bad Request: message text is empty")
    stack.deliver()
    contact = {"channel": "telegram", "channel_user_id": ticket_citizen}
    code = file_ticket(stack.client, SERVICE, "Rác thải đổ trộm cạnh chợ", contact=contact)
    stack.telegram.fail_next(2, 500)  # as many as the retry limit
    stack.deliver()
    stack.deliver(hours_later=1)
    stack.queue("zalo", bot_citizen, "bot_reply", "Cảm ơn anh/chị đã phản ánh.")
    stack.zalo.fail_next(1, -230)
    stack.deliver()
    return Failures(code, ticket_citizen, notice_citizen, bot_citizen)


@pytest.fixture(scope="module")
def failures(stack: Stack) -> Failures:
    """The module's failed rows (each test that sends one again makes its own)."""
    return _fail(stack)


def _masked(user_id: str) -> str:
    return f"{user_id[:2]}***{user_id[-2:]}"


def _failed(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/console/deliveries/failed?page_size=200&{query}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _row_of(items: list[dict[str, Any]], citizen: str) -> dict[str, Any]:
    [row] = [item for item in items if item["citizen"] == _masked(citizen)]
    return row


def test_every_failed_delivery_is_listed_in_vietnamese_with_masked_recipients(
    stack: Stack, failures: Failures
) -> None:
    dispatcher = stack.signed_in("dispatcher")

    html = dispatcher.get("/console/deliveries").text
    items = _failed(dispatcher)

    assert [row["id"] for row in items] == sorted((row["id"] for row in items), reverse=True)
    ticket_row = _row_of(items, failures.ticket_citizen)
    assert (ticket_row["ticket_code"], ticket_row["kind"], ticket_row["state"]) == (
        failures.code, "received", "dead"
    )  # fmt: skip
    assert ticket_row["attempts"] == 2 and "gave up after 2 attempts" in ticket_row["last_error"]
    notice = _row_of(items, failures.notice_citizen)
    assert (notice["ticket_code"], notice["state"], notice["attempts"]) == (None, "dead", 1)
    bot = _row_of(items, failures.bot_citizen)
    assert (bot["ticket_code"], bot["channel"], bot["state"]) == (None, "zalo", "undeliverable")
    for citizen in (failures.ticket_citizen, failures.notice_citizen, failures.bot_citizen):
        assert _masked(citizen) in html and citizen not in html
    for label in ("Xác nhận tiếp nhận", "Báo gửi quá nhiều tin nhắn", "Trả lời của trợ lý ảo"):
        assert f"<td>{label}</td>" in html
    assert '<span class="badge dl-dead">Gửi thất bại</span>' in html
    assert '<span class="badge dl-undeliverable">Không gửi được: công dân đã chặn' in html
    assert f'<a href="/console/tickets/{failures.code}">{failures.code}</a>' in html
    assert RATE_LIMITED_TEXT in html and "Zalo" in html
    assert f'action="/console/deliveries/{notice["id"]}/resend"' in html
    assert f'action="/console/deliveries/{bot["id"]}/resend"' not in html  # undeliverable: no resend
    assert f'<b class="nav-count" title="Số tin gửi lỗi">{len(items)}</b>' in html


def test_the_list_filters_by_channel_and_state(stack: Stack, failures: Failures) -> None:
    dispatcher = stack.signed_in("dispatcher")

    zalo = _failed(dispatcher, "channel=zalo")
    dead = _failed(dispatcher, "state=dead")
    page = dispatcher.get("/console/deliveries?channel=telegram&state=undeliverable").text

    assert {row["channel"] for row in zalo} == {"zalo"}
    assert _row_of(zalo, failures.bot_citizen)["kind"] == "bot_reply"
    assert {row["state"] for row in dead} == {"dead"}
    assert {_masked(failures.ticket_citizen), _masked(failures.notice_citizen)} <= {
        r["citizen"] for r in dead
    }
    assert "Không có tin gửi lỗi nào phù hợp với bộ lọc." in page
    second = dispatcher.get("/api/v1/console/deliveries/failed?page=2&page_size=1").json()
    assert [row["id"] for row in second["items"]] == [_failed(dispatcher)[1]["id"]]
    assert second["has_next"] and second["total"] >= 3 and not second["total_capped"]
    assert dispatcher.get("/api/v1/console/deliveries/failed?state=delivered").status_code == 422


def test_officers_see_their_departments_tickets_only_and_leaders_nothing(
    stack: Stack, failures: Failures
) -> None:
    own = _failed(stack.signed_in("officer"))
    other = stack.signed_in("other_officer")
    leader = stack.signed_in("leader")
    ticket_row = _row_of(_failed(stack.signed_in("dispatcher")), failures.ticket_citizen)

    assert failures.code in {row["ticket_code"] for row in own}
    assert None not in {row["ticket_code"] for row in own}  # ticketless rows: dispatchers only
    assert failures.code not in other.get("/console/deliveries").text
    assert other.post(f"/api/v1/console/deliveries/{ticket_row['id']}/resend").status_code == 404
    assert leader.get("/api/v1/console/deliveries/failed").status_code == 403
    refused = leader.get("/console/deliveries")
    assert refused.status_code == 403 and "không có quyền" in refused.text
    resend = f"/console/deliveries/{ticket_row['id']}/resend"
    assert leader.post(resend, data={"csrf_token": leader.cookies["ioc_csrf"]}).status_code == 403
    assert 'href="/console/deliveries"' not in leader.get("/console/dashboard").text
    assert stack.state_of(ticket_row["id"]) == ("dead", 2)


def test_a_dead_notification_sent_again_is_delivered_and_audited(stack: Stack) -> None:
    failures = _fail(stack)
    dispatcher = stack.signed_in("dispatcher")
    row = _row_of(_failed(dispatcher), failures.ticket_citizen)
    page = dispatcher.get("/console/deliveries?channel=telegram").text
    form = {"csrf_token": page_token(page), "back": "/console/deliveries?channel=telegram"}
    del dispatcher.headers["X-CSRF-Token"]

    forged = dispatcher.post(f"/console/deliveries/{row['id']}/resend", data={"back": form["back"]})
    assert forged.status_code == 403 and stack.state_of(row["id"]) == ("dead", 2)
    answer = dispatcher.post(f"/console/deliveries/{row['id']}/resend", data=form)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/deliveries?channel=telegram&ok=resent"
    assert "Đã đưa tin vào hàng đợi gửi lại" in dispatcher.get(answer.headers["location"]).text
    assert stack.state_of(row["id"]) == ("pending", 0)
    assert row["id"] not in {item["id"] for item in _failed(dispatcher)}
    again = dispatcher.post(f"/console/deliveries/{row['id']}/resend", data=form)
    assert again.status_code == 409 and "Chỉ gửi lại được tin đã gửi thất bại" in again.text
    stack.deliver()
    assert stack.state_of(row["id"]) == ("delivered", 1)
    [received] = stack.telegram.sent(chat_id=failures.ticket_citizen)
    assert failures.code in received.params["text"]
    audit = dispatcher.get(f"/api/v1/console/tickets/{failures.code}").json()["audit"]
    assert [(a["actor"], a["details"]) for a in audit if a["action"] == "delivery_resent"] == [
        ("dispatcher:fd.dieuphoi", {"outbox_id": row["id"], "kind": "received"})
    ]
    assert (
        "Gửi lại tin cho công dân</b> — fd.dieuphoi"
        in dispatcher.get(f"/console/tickets/{failures.code}").text
    )


def test_a_ticketless_dead_row_is_sent_again_through_the_api(stack: Stack) -> None:
    failures = _fail(stack)
    dispatcher = stack.signed_in("dispatcher")
    items = _failed(dispatcher)
    notice, bot = (_row_of(items, c) for c in (failures.notice_citizen, failures.bot_citizen))

    answer = dispatcher.post(f"/api/v1/console/deliveries/{notice['id']}/resend")
    refused = dispatcher.post(f"/api/v1/console/deliveries/{bot['id']}/resend")
    stack.deliver()

    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in ("state", "attempts", "ticket_code", "last_error")} == {
        "state": "pending", "attempts": 0, "ticket_code": None, "last_error": None
    }  # fmt: skip
    assert answer.json()["citizen"] == _masked(failures.notice_citizen)
    assert refused.status_code == 409 and stack.state_of(bot["id"]) == ("undeliverable", 1)
    assert stack.state_of(notice["id"]) == ("delivered", 1)
    sent = stack.telegram.sent(chat_id=failures.notice_citizen)
    assert [call.params["text"] for call in sent] == [RATE_LIMITED_TEXT]


def test_a_parked_inbound_message_is_listed_for_dispatchers_with_its_reason(stack: Stack) -> None:
    citizen = f"73{uuid.uuid4().int % 10**9:09d}{next(SERIALS)}"
    before = _failed(stack.signed_in("dispatcher"))
    event = zw.image_event(stack.zalo.app_id, citizen, stack.zalo.media_url("anh.jpg"))
    body, headers = zw.sign(event, stack.zalo.app_id, "fd-oa-secret")
    with TestClient(stack.client.app) as running:  # the gateway runs with the app
        assert running.post("/webhooks/zalo", content=body, headers=headers).status_code == 200
        notice = wait_until(lambda: stack.zalo.messages_to(citizen), 10, "the citizen was not told")
    dispatcher = stack.signed_in("dispatcher")

    listed = dispatcher.get("/api/v1/console/deliveries/inbound?page_size=200").json()
    page = dispatcher.get("/console/deliveries/inbound?channel=zalo").text

    [row] = [item for item in listed["items"] if item["citizen"] == _masked(citizen)]
    assert (row["channel"], row["kind"], row["text"], row["attempts"]) == ("zalo", "photo", "[Ảnh]", 1)
    assert "not in the media hosts" in row["last_error"]  # the fake's 127.0.0.1 is not Zalo's CDN
    assert "chưa nhận được ảnh" in notice[0].text
    assert f'<tr data-id="{row["id"]}">' in page and citizen not in page
    assert "Tin nhận không xử lý được" in page and "<td>Ảnh</td>" in page and "Đã dừng xử lý" in page
    assert 'href="/console/deliveries/inbound" aria-current="page"' in page
    badge = len(before) + listed["total"]
    assert f'<b class="nav-count" title="Số tin gửi lỗi">{badge}</b>' in page
    assert dispatcher.get("/console/deliveries/inbound?channel=telegram").text.count("<tr data-id=") == 0
    assert stack.signed_in("officer").get("/api/v1/console/deliveries/inbound").json()["items"] == []
    leader = stack.signed_in("leader")
    assert leader.get("/api/v1/console/deliveries/inbound").status_code == 403
    assert leader.get("/console/deliveries/inbound").status_code == 403
