"""Web chat: WebSocket round trip, replay after reconnect, photo upload, live status updates."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.integration.gateway.conftest import GatewayStack, fresh_rate_window, wait_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _until(ws: WebSocketTestSession, predicate: Any) -> dict[str, Any]:
    for _ in range(50):
        frame = ws.receive_json()
        if predicate(frame):
            return frame
    raise AssertionError("frame not received")


def _bot_text(text: str) -> Any:
    return lambda f: f.get("type") == "message" and f["direction"] == "out" and f["text"] == text


def test_round_trip_and_replay_after_reconnect(gateway_stack: GatewayStack) -> None:
    session = "w" + uuid.uuid4().hex
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        ws.send_json({"type": "text", "session_id": session, "client_message_id": "c1", "text": "xin chào"})
        ack = _until(ws, lambda f: f.get("type") == "ack")
        mine = _until(ws, lambda f: f.get("type") == "message" and f["direction"] == "in")
        reply = _until(ws, _bot_text("Bot đã nhận: xin chào"))

    assert ack == {"type": "ack", "client_message_id": "c1", "duplicate": False}
    assert mine["text"] == "xin chào" and reply["id"] > mine["id"]
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}&after=0") as ws:
        replayed = [ws.receive_json(), ws.receive_json()]
    assert [f["id"] for f in replayed] == [mine["id"], reply["id"]]


def test_postback_and_location_frames(gateway_stack: GatewayStack) -> None:
    session = "w" + uuid.uuid4().hex
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        ws.send_json({"type": "text", "session_id": session, "client_message_id": "a", "text": "cho tôi nút"})
        offer = _until(ws, _bot_text("Bot đã nhận: cho tôi nút"))
        ws.send_json({"type": "postback", "session_id": session, "client_message_id": "b",
                      "payload": offer["buttons"][0]["payload"]})  # fmt: skip
        pressed = _until(
            ws, lambda f: f.get("type") == "message" and f["direction"] == "in" and f["text"] == "Có"
        )
        ws.send_json({"type": "location", "session_id": session, "client_message_id": "c",
                      "payload": {"latitude": 15.88, "longitude": 108.33}})  # fmt: skip
        _until(ws, _bot_text('Bot đã nhận: /share_location{"latitude": 15.88, "longitude": 108.33}'))

    assert pressed["buttons"] == []
    assert gateway_stack.rasa.messages_from(f"webchat:{session}")[1] == "/affirm"


MALFORMED = ["a", "w1", "w" + "0" * 31, "w" + "G" * 32, "x" + "0" * 32, "w" + "0" * 33]


@pytest.mark.parametrize("session", MALFORMED)
def test_a_short_or_malformed_session_id_is_refused(gateway_stack: GatewayStack, session: str) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}"),
    ):
        pass
    upload = gateway_stack.client.post(
        "/chat/upload", files={"file": ("a.png", PNG, "image/png")}, data={"session_id": session}
    )

    assert closed.value.code == 1008 and "32 lower-case hex digits" in closed.value.reason
    assert upload.status_code == 400 and "32 lower-case hex digits" in upload.json()["detail"]


def test_bad_frames_get_a_reason(gateway_stack: GatewayStack) -> None:
    session = "w" + uuid.uuid4().hex
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        ws.send_text("không phải JSON")
        not_json = _until(ws, lambda f: f.get("type") == "error")
        ws.send_json({"type": "text", "session_id": "w" + "0" * 32, "client_message_id": "x", "text": "hi"})
        other = _until(ws, lambda f: f.get("type") == "error")

    assert "JSON" in not_json["reason"]
    assert "session_id" in other["reason"]


def test_a_lone_surrogate_or_deep_nesting_gets_a_reason_and_the_socket_stays_open(
    gateway_stack: GatewayStack,
) -> None:
    session = "w" + uuid.uuid4().hex
    frame = '{"type": "text", "session_id": "%s", "client_message_id": "%s", "text": "%s"}'
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        ws.send_text(frame % (session, "c1", "a\\ud800b"))
        surrogate = _until(ws, lambda f: f.get("type") == "error")
        ws.send_text("[" * 1000 + "]" * 1000)
        nested = _until(ws, lambda f: f.get("type") == "error")
        ws.send_text(frame % (session, "c2", "xin chào"))
        ack = _until(ws, lambda f: f.get("type") == "ack")

    assert "surrogate" in surrogate["reason"] and "nests deeper" in nested["reason"]
    assert ack["client_message_id"] == "c2"
    assert wait_for(lambda: gateway_stack.rasa.messages_from(f"webchat:{session}")) == ["xin chào"]


def test_photo_upload_then_photo_frame(gateway_stack: GatewayStack) -> None:
    session = "w" + uuid.uuid4().hex
    upload = gateway_stack.client.post("/chat/upload", files={"file": ("a.png", PNG, "image/png")},
                                       data={"session_id": session})  # fmt: skip
    rejected = gateway_stack.client.post("/chat/upload", files={"file": ("a.txt", b"hello", "text/plain")},
                                         data={"session_id": session})  # fmt: skip
    url = upload.json()["url"]
    with gateway_stack.client.websocket_connect(f"/chat/ws?session_id={session}") as ws:
        ws.send_json(
            {"type": "photo", "session_id": session, "client_message_id": "p", "payload": {"url": url}}
        )
        mine = _until(ws, lambda f: f.get("type") == "message" and f["direction"] == "in")
        _until(ws, _bot_text("Bot đã nhận: /send_photo"))

    assert upload.status_code == 200 and url.startswith("http://testserver/media/")
    assert rejected.status_code == 400
    assert mine["image_url"] == url
    assert gateway_stack.rasa.calls_from(f"webchat:{session}")[0].metadata["photo_urls"] == [url]
    path = url.removeprefix("http://testserver")
    other = "w" + uuid.uuid4().hex
    assert gateway_stack.client.get(path, headers={"X-Chat-Session": session}).content == PNG  # their own
    assert gateway_stack.client.get(path, headers={"X-Chat-Session": other}).status_code == 401
    assert gateway_stack.client.get(path).status_code == 401


def test_the_page_and_the_widget_are_served(gateway_stack: GatewayStack) -> None:
    page = gateway_stack.client.get("/chat")
    widget = gateway_stack.client.get("/chat/widget.js")
    script = gateway_stack.client.get("/chat/static/chat.js")

    assert page.status_code == 200 and 'lang="vi"' in page.text and "Chia sẻ vị trí" in page.text
    assert widget.headers["content-type"].startswith("text/javascript") and "iframe" in widget.text
    assert "innerHTML" not in script.text and "textContent" in script.text


def test_uploads_are_rate_limited(gateway_stack: GatewayStack) -> None:
    fresh_rate_window()
    session = "w" + uuid.uuid4().hex
    statuses = [
        gateway_stack.client.post(
            "/chat/upload",
            files={"file": ("a.png", PNG, "image/png")},
            data={"session_id": session},
        ).status_code  # fmt: skip
        for _ in range(gateway_stack.settings.rate_limit_per_minute + 1)
    ]

    assert statuses[:-1] == [200] * gateway_stack.settings.rate_limit_per_minute
    assert statuses[-1] == 429
