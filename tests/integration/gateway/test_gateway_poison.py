"""A poison message does not block its citizen: a Zalo image whose URL cannot be fetched (404, a
host not allowed, a redirect, a CDN failing every time) is tried a bounded number of times, then
parked (dead, with its reason, listed in the console); the citizen is asked to send it again and
their later messages reach Rasa in order, once each. Rasa being down never parks a message."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.gateway_models import InboundRecord
from backend.services.gateway_texts import GATEWAY_TEXTS
from backend.services.user_service import UserService
from tests.fakes import zalo_webhooks as zw
from tests.integration.gateway.conftest import GatewayStack, later, wait_for
from tests.integration.gateway.test_gateway_rasa_outage import ACK
from tests.integration.gateway.test_gateway_zalo import JPEG, zalo_post, zalo_texts

PHOTO_FAILED = GATEWAY_TEXTS["photo_failed"]
PASSWORD = "mat-khau-tin-loi-2026"


def _user() -> str:
    return str(uuid.uuid4().int % 10**12)


def _rows(stack: GatewayStack, user_id: str) -> list[tuple[str, str, int, str | None]]:
    """(state, text, attempts, last_error) of the user's inbound messages, oldest first."""
    statement = (
        select(InboundRecord.state, InboundRecord.text, InboundRecord.attempts, InboundRecord.last_error)
        .where(InboundRecord.channel_user_id == user_id)
        .order_by(InboundRecord.id)
    )
    return [tuple(row) for row in stack.query(statement)]  # type: ignore[misc]


def _photo_then_texts(stack: GatewayStack, user_id: str, url: str) -> None:
    app_id = stack.zalo.app_id
    zalo_post(stack, zw.image_event(app_id, user_id, url))
    for text in ("một", "hai"):
        assert zalo_post(stack, zw.text_event(app_id, user_id, text)).status_code == 200


def _answered_in_order(stack: GatewayStack, user_id: str) -> None:
    expected = [PHOTO_FAILED, "Bot đã nhận: một", "Bot đã nhận: hai"]
    wait_for(lambda: [t for t in zalo_texts(stack, user_id) if not t.startswith(ACK)] == expected)
    assert stack.rasa.messages_from(f"zalo:{user_id}") == ["một", "hai"]  # no photo, nothing twice


def _parked(stack: GatewayStack, user_id: str) -> str:
    """The reason the user's photo was parked for; the texts after it were processed."""
    [photo, one, two] = _rows(stack, user_id)
    assert (photo[0], one[0], two[0]) == ("dead", "processed", "processed")
    assert photo[1] == "/send_photo" and photo[3]
    return str(photo[3])


def _dispatcher(stack: GatewayStack) -> TestClient:
    container = stack.client.app.state.container  # type: ignore[attr-defined]
    username = f"gw.{uuid.uuid4().hex[:8]}"
    UserService(container.session_factory).create(username, PASSWORD, "Điều Phối Viên", "dispatcher")
    client = TestClient(stack.client.app)
    assert client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).is_success
    return client


def _listed(stack: GatewayStack, user_id: str) -> dict[str, Any]:
    """The user's parked message as the console's API and page show it."""
    client = _dispatcher(stack)
    answer = client.get("/api/v1/console/deliveries/inbound?channel=zalo&page_size=200")
    assert answer.status_code == 200, answer.text
    masked = f"{user_id[:2]}***{user_id[-2:]}"
    [row] = [item for item in answer.json()["items"] if item["citizen"] == masked]
    page = client.get("/console/deliveries/inbound").text
    assert f'<tr data-id="{row["id"]}">' in page and user_id not in page
    assert "Tin nhận không xử lý được" in page and "<td>Ảnh</td>" in page and "Đã dừng xử lý" in page
    return dict(row)


def test_a_photo_whose_url_answers_404_is_parked_and_the_later_texts_answered(
    gateway_stack: GatewayStack,
) -> None:
    user, name = _user(), f"gone-{uuid.uuid4().hex[:8]}.jpg"

    _photo_then_texts(gateway_stack, user, gateway_stack.zalo.media_url(name))

    _answered_in_order(gateway_stack, user)
    assert "HTTP 404" in _parked(gateway_stack, user)
    assert gateway_stack.zalo.media_requests.count(name) == 1  # a 404 is not tried again
    row = _listed(gateway_stack, user)
    assert (row["kind"], row["channel"], row["text"]) == ("photo", "zalo", "[Ảnh]")
    assert "HTTP 404" in row["last_error"]


def test_a_photo_on_a_host_not_allowed_is_never_fetched(gateway_stack: GatewayStack) -> None:
    user, name = _user(), f"elsewhere-{uuid.uuid4().hex[:8]}.jpg"
    gateway_stack.zalo.add_media(name, JPEG)
    url = f"http://localhost:{gateway_stack.zalo.port}/media/{name}"  # the same server, not in the list

    _photo_then_texts(gateway_stack, user, url)

    _answered_in_order(gateway_stack, user)
    assert "not in the media hosts" in _parked(gateway_stack, user)
    assert name not in gateway_stack.zalo.media_requests
    assert "not in the media hosts" in _listed(gateway_stack, user)["last_error"]


def test_a_photo_url_that_redirects_to_another_host_is_not_followed(gateway_stack: GatewayStack) -> None:
    user, tag = _user(), uuid.uuid4().hex[:8]
    target = f"target-{tag}.jpg"
    gateway_stack.zalo.add_media(target, JPEG)
    url = gateway_stack.zalo.add_redirect(
        f"hop-{tag}.jpg", f"http://localhost:{gateway_stack.zalo.port}/media/{target}"
    )

    _photo_then_texts(gateway_stack, user, url)

    _answered_in_order(gateway_stack, user)
    assert "redirect" in _parked(gateway_stack, user)
    assert f"hop-{tag}.jpg" in gateway_stack.zalo.media_requests
    assert target not in gateway_stack.zalo.media_requests


def test_a_cdn_that_keeps_failing_is_tried_a_bounded_number_of_times(gateway_stack: GatewayStack) -> None:
    user, name = _user(), f"flaky-{uuid.uuid4().hex[:8]}.jpg"
    url = gateway_stack.zalo.add_media(name, JPEG)
    gateway_stack.zalo.fail_media(100, 503, name)
    tries = gateway_stack.settings.inbound_max_attempts

    _photo_then_texts(gateway_stack, user, url)
    wait_for(lambda: _rows(gateway_stack, user)[0][2] == 1)  # the first try, live
    for minutes in range(1, tries + 2):  # a pass after each backoff (at most a minute)
        gateway_stack.worker_pass(later(61 * minutes))

    _answered_in_order(gateway_stack, user)
    assert "HTTP 503" in _parked(gateway_stack, user)
    assert gateway_stack.zalo.media_requests.count(name) == tries
    assert _rows(gateway_stack, user)[0][2] == tries


def test_a_photo_fetched_on_a_later_try_reaches_rasa_first(gateway_stack: GatewayStack) -> None:
    user, name = _user(), f"late-{uuid.uuid4().hex[:8]}.jpg"
    url = gateway_stack.zalo.add_media(name, JPEG)
    gateway_stack.zalo.fail_media(1, 502, name)

    _photo_then_texts(gateway_stack, user, url)
    wait_for(lambda: _rows(gateway_stack, user)[0][2] == 1)
    gateway_stack.worker_pass(later(61))

    assert gateway_stack.rasa.messages_from(f"zalo:{user}") == ["/send_photo", "một", "hai"]
    [photo_call, *_] = gateway_stack.rasa.calls_from(f"zalo:{user}")
    assert photo_call.metadata["photo_urls"][0].startswith("http://testserver/media/")
    assert [row[0] for row in _rows(gateway_stack, user)] == ["processed"] * 3


def test_rasa_down_is_never_the_messages_fault(gateway_stack: GatewayStack) -> None:
    user = _user()
    gateway_stack.rasa.down = True
    try:
        zalo_post(gateway_stack, zw.text_event(gateway_stack.zalo.app_id, user, "chờ"))
        wait_for(lambda: _rows(gateway_stack, user)[0][2] == 1)
        for minutes in range(1, gateway_stack.settings.inbound_max_attempts + 3):
            gateway_stack.worker_pass(later(61 * minutes))
        [(state, _, attempts, _)] = _rows(gateway_stack, user)
        assert state == "pending" and attempts > gateway_stack.settings.inbound_max_attempts
    finally:
        gateway_stack.rasa.down = False

    gateway_stack.worker_pass()

    assert [row[0] for row in _rows(gateway_stack, user)] == ["processed"]
    assert zalo_texts(gateway_stack, user)[-1] == "Bot đã nhận: chờ"


def test_a_message_whose_answer_cannot_be_stored_is_parked_after_the_bounded_tries(
    gateway_stack: GatewayStack,
) -> None:
    user, tries = _user(), gateway_stack.settings.inbound_max_attempts
    app_id = gateway_stack.zalo.app_id
    for text in ("ký tự NUL", "sau đó"):
        zalo_post(gateway_stack, zw.text_event(app_id, user, text))
    wait_for(lambda: _rows(gateway_stack, user)[0][2] == 1)
    for minutes in range(1, tries + 2):
        gateway_stack.worker_pass(later(61 * minutes))

    expected = [GATEWAY_TEXTS["message_failed"], "Bot đã nhận: sau đó"]
    wait_for(lambda: [t for t in zalo_texts(gateway_stack, user) if not t.startswith(ACK)] == expected)
    assert gateway_stack.rasa.messages_from(f"zalo:{user}") == ["ký tự NUL"] * tries + ["sau đó"]
    [(state, _, attempts, reason), (after, *_)] = _rows(gateway_stack, user)
    assert (state, attempts, after) == ("dead", tries, "processed")
    assert "DataError" in str(reason)
    assert user not in str(reason) and "SQL" not in str(reason)  # no statement, no parameters
