"""Tickets meet channels: status updates reach the citizen (live on web chat), rating buttons
work, hand-off routes messages to the ticket thread, rate limits answer politely, channels
without credentials are off."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.engine import make_engine, make_session_factory
from backend.adapters.db.models import Ticket, TicketMessage
from backend.adapters.db.user_models import ConversationHandoff
from backend.entrypoints.app import create_app
from backend.settings import Settings
from tests.conftest import TEST_SERVICE_TOKEN
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import (
    GatewayStack,
    fresh_rate_window,
    telegram_post,
    texts_to,
    wait_for,
)

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def _ticket(stack: GatewayStack, channel: str, user_id: str) -> str:
    body = {"category": "environment", "description": "Rác thải đổ trộm bên đường", "area": "Cẩm Châu",
            "contact": {"channel": channel, "channel_user_id": user_id, "display_name": "Lan"}}  # fmt: skip
    response = stack.client.post(
        "/api/v1/tickets", json=body, headers={**AUTH, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def _resolve(stack: GatewayStack, code: str) -> None:
    body = {"status": "resolved", "text": "Đã thu gom rác.", "actor": "can.bo"}
    response = stack.client.post(f"/api/v1/tickets/{code}/status", json=body, headers=AUTH)
    assert response.status_code == 200, response.text


def test_status_updates_and_rating_buttons_on_telegram(gateway_stack: GatewayStack) -> None:
    code = _ticket(gateway_stack, "telegram", "74001")
    _resolve(gateway_stack, code)
    gateway_stack.worker_pass(sweep=False)

    last = gateway_stack.telegram.sent("sendMessage", chat_id=74001)[-1]
    payloads = [row[0][1] for row in last.button_rows]
    assert any(code in text for text in texts_to(gateway_stack, 74001))
    assert payloads[-1] == '/rate{"ticket_id": "' + code + '", "rating": 5}'
    telegram_post(gateway_stack, tg.callback_update(74001, payloads[-1]))
    wait_for(lambda: payloads[-1] in gateway_stack.rasa.messages_from("telegram:74001"))


def test_status_updates_reach_a_connected_web_chat_live(gateway_stack: GatewayStack) -> None:
    session = "w" + uuid.uuid4().hex
    code = _ticket(gateway_stack, "webchat", session)
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        gateway_stack.worker_pass(sweep=False)
        received = ws.receive_json()
        _resolve(gateway_stack, code)
        gateway_stack.worker_pass(sweep=False)
        resolved = _receive_until(ws, lambda f: bool(f["buttons"]))

    assert code in received["text"] and received["author"] == "system"
    assert [b["payload"] for b in resolved["buttons"]][0] == '/rate{"ticket_id": "' + code + '", "rating": 1}'


def _receive_until(ws: Any, predicate: Any) -> dict[str, Any]:
    for _ in range(20):
        frame = ws.receive_json()
        if predicate(frame):
            return dict(frame)
    raise AssertionError("no such frame")


def test_hand_off_routes_messages_to_the_ticket_thread(gateway_stack: GatewayStack) -> None:
    code = _ticket(gateway_stack, "telegram", "74002")
    _take_over(gateway_stack, "telegram", "74002", active=True)
    telegram_post(gateway_stack, tg.text_update(74002, "Tôi bổ sung: rác vẫn còn"))
    thread = wait_for(lambda: (t := _citizen_messages(gateway_stack, code)) and len(t) == 2 and t)
    _take_over(gateway_stack, "telegram", "74002", active=False)
    telegram_post(gateway_stack, tg.text_update(74002, "cảm ơn"))
    wait_for(lambda: gateway_stack.rasa.messages_from("telegram:74002"))

    assert thread == ["Rác thải đổ trộm bên đường", "Tôi bổ sung: rác vẫn còn"]
    assert gateway_stack.rasa.messages_from("telegram:74002") == ["cảm ơn"]


def _take_over(stack: GatewayStack, channel: str, user_id: str, *, active: bool) -> None:
    engine = make_engine(stack.settings.database_url)
    with make_session_factory(engine)() as session:
        row = session.get(ConversationHandoff, (channel, user_id))
        if row is None:
            row = ConversationHandoff(channel=channel, channel_user_id=user_id, official_username="can.bo",
                                      official_name="Cán bộ A")  # fmt: skip
            session.add(row)
        row.active = active
        session.commit()
    engine.dispose()


def _citizen_messages(stack: GatewayStack, code: str) -> list[str]:
    rows = stack.query(
        select(TicketMessage.body)
        .join(Ticket)
        .where(Ticket.code == code, TicketMessage.author_kind == "citizen")
    )
    return [row[0] for row in rows]


def test_a_flooding_sender_gets_one_polite_reply(gateway_stack: GatewayStack) -> None:
    fresh_rate_window()
    for number in range(23):
        telegram_post(gateway_stack, tg.text_update(74003, f"tin {number}"))
    wait_for(lambda: len(gateway_stack.rasa.messages_from("telegram:74003")) == 20)
    texts = wait_for(lambda: (t := texts_to(gateway_stack, 74003)) and len(t) == 21 and t)

    assert sum("quá nhiều tin nhắn" in text for text in texts) == 1
    assert gateway_stack.rasa.messages_from("telegram:74003") == [f"tin {n}" for n in range(20)]


def test_channels_without_credentials_are_off(gateway_database_url: str) -> None:
    client = TestClient(create_app(Settings(database_url=gateway_database_url, redis_url=None)))

    telegram = client.post("/webhooks/telegram", json=tg.text_update(1, "x"))
    zalo = client.post("/webhooks/zalo", content=b"{}")

    assert telegram.status_code == 404 and "TELEGRAM_BOT_TOKEN" in telegram.json()["detail"]
    assert zalo.status_code == 404 and "ZALO" in zalo.json()["detail"]
