"""Zalo OA through the gateway: signed webhooks, images, numbered choices, undeliverable users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.adapters.db.models import OutboxMessage
from tests.fakes import zalo_webhooks as zw
from tests.integration.gateway.conftest import OA_SECRET_KEY, GatewayStack, wait_for

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x01" * 300


def zalo_post(stack: GatewayStack, event: dict[str, Any]) -> Any:
    """POST a signed event to the Zalo webhook."""
    body, headers = zw.sign(event, stack.zalo.app_id, OA_SECRET_KEY)
    return stack.client.post("/webhooks/zalo", content=body, headers=headers)


def zalo_texts(stack: GatewayStack, user_id: str) -> list[str]:
    """Texts the fake Zalo accepted for a user."""
    return [message.text for message in stack.zalo.messages_to(user_id)]


def test_a_signed_text_is_answered_and_a_retry_ignored(gateway_stack: GatewayStack) -> None:
    event = zw.text_event(gateway_stack.zalo.app_id, "8801", "rác ở chợ")

    assert zalo_post(gateway_stack, event).json() == {"ok": True, "duplicate": False}
    assert zalo_post(gateway_stack, event).json() == {"ok": True, "duplicate": True}
    assert wait_for(lambda: zalo_texts(gateway_stack, "8801")) == ["Bot đã nhận: rác ở chợ"]
    assert gateway_stack.rasa.messages_from("zalo:8801") == ["rác ở chợ"]


def test_a_bad_signature_is_rejected(gateway_stack: GatewayStack) -> None:
    body, headers = zw.sign(zw.text_event(gateway_stack.zalo.app_id, "8802", "xin chào"), "x", "wrong-key")

    response = gateway_stack.client.post("/webhooks/zalo", content=body, headers=headers)

    assert response.status_code == 401
    assert gateway_stack.rasa.messages_from("zalo:8802") == []


def test_echoes_and_receipts_are_ignored(gateway_stack: GatewayStack) -> None:
    app_id = gateway_stack.zalo.app_id
    for event in (zw.oa_echo_event(app_id, "8803", "bot"), zw.seen_event(app_id, "8803")):
        assert zalo_post(gateway_stack, event).json() == {"ok": True, "ignored": True}


def test_an_image_is_downloaded_and_sent_to_rasa_as_our_url(gateway_stack: GatewayStack) -> None:
    url = gateway_stack.zalo.add_media("a.jpg", JPEG)

    zalo_post(gateway_stack, zw.image_event(gateway_stack.zalo.app_id, "8804", url))
    wait_for(lambda: zalo_texts(gateway_stack, "8804"))

    [call] = gateway_stack.rasa.calls_from("zalo:8804")
    assert call.message == "/send_photo"
    [ours] = call.metadata["photo_urls"]
    assert ours.startswith("http://testserver/media/")
    assert (gateway_stack.settings.media_dir / ours.rsplit("/", 1)[1]).read_bytes() == JPEG


def test_buttons_become_numbered_choices_and_a_number_sends_the_payload(gateway_stack: GatewayStack) -> None:
    zalo_post(gateway_stack, zw.text_event(gateway_stack.zalo.app_id, "8805", "cho tôi nút"))
    [offer] = wait_for(lambda: zalo_texts(gateway_stack, "8805"))
    zalo_post(gateway_stack, zw.text_event(gateway_stack.zalo.app_id, "8805", "2"))
    wait_for(lambda: len(zalo_texts(gateway_stack, "8805")) == 2)

    assert "1. Có" in offer and "2. Không" in offer
    assert gateway_stack.rasa.messages_from("zalo:8805") == ["cho tôi nút", "/deny"]


def test_a_user_outside_the_7_day_window_is_undeliverable(gateway_stack: GatewayStack) -> None:
    gateway_stack.zalo.fail_next(1, -230)

    zalo_post(gateway_stack, zw.text_event(gateway_stack.zalo.app_id, "8806", "xin chào"))

    rows = wait_for(lambda: [r for r in _rows_to(gateway_stack, "8806") if r.state == "undeliverable"])
    assert "-230" in (rows[0].last_error or "")
    assert zalo_texts(gateway_stack, "8806") == []


def _rows_to(stack: GatewayStack, user_id: str) -> list[OutboxMessage]:
    return [
        row[0] for row in stack.query(select(OutboxMessage).where(OutboxMessage.channel_user_id == user_id))
    ]
