"""Zalo webhook: X-ZEvent-Signature check and parsing every event type."""

from __future__ import annotations

import json

import pytest

from channels import Channel, InvalidSignature, MalformedPayload, MessageKind, ZaloConfig
from channels.zalo_webhook import parse_event, parse_webhook, verify_signature
from tests.fakes import zalo_webhooks as zw

APP_ID = "4318000000000000001"
KEY = "oa-secret-key"
USER = "2468458835296117922"
CONFIG = ZaloConfig(app_id=APP_ID, oa_secret_key=KEY)


def signed(event):
    body, headers = zw.sign(event, APP_ID, KEY)
    return body, headers["X-ZEvent-Signature"]


def test_valid_signature_is_accepted():
    body, signature = signed(zw.text_event(APP_ID, USER, "xin chào"))
    message = parse_webhook(body, signature, CONFIG)
    assert message is not None and message.text == "xin chào"


def test_signature_without_mac_prefix_is_accepted():
    body, signature = signed(zw.text_event(APP_ID, USER, "xin chào"))
    verify_signature(body, signature.removeprefix("mac="), APP_ID, KEY)


def test_hmac_instead_of_plain_sha256_is_rejected():
    import hashlib
    import hmac

    event = zw.text_event(APP_ID, USER, "xin chào")
    body, _ = signed(event)
    wrong = hmac.new(KEY.encode(), APP_ID.encode() + body + event["timestamp"].encode(), hashlib.sha256)
    with pytest.raises(InvalidSignature):
        verify_signature(body, f"mac={wrong.hexdigest()}", APP_ID, KEY)


@pytest.mark.parametrize("signature", [None, "", "mac=", "mac=" + "0" * 64])
def test_missing_or_wrong_signature_is_rejected(signature):
    body, _ = signed(zw.text_event(APP_ID, USER, "xin chào"))
    with pytest.raises(InvalidSignature):
        parse_webhook(body, signature, CONFIG)


def test_tampered_body_is_rejected():
    body, signature = signed(zw.text_event(APP_ID, USER, "xin chào"))
    with pytest.raises(InvalidSignature):
        verify_signature(body.replace("xin chào".encode(), "tạm biệt".encode()), signature, APP_ID, KEY)


def test_signature_with_another_secret_is_rejected():
    body, headers = zw.sign(zw.text_event(APP_ID, USER, "xin chào"), APP_ID, "other-key")
    with pytest.raises(InvalidSignature):
        verify_signature(body, headers["X-ZEvent-Signature"], APP_ID, KEY)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"event_name": "user_send_text"}'])
def test_body_without_timestamp_is_rejected(body):
    with pytest.raises(InvalidSignature):
        verify_signature(body, "mac=" + "0" * 64, APP_ID, KEY)


def test_text_event():
    event = zw.text_event(APP_ID, USER, "Cống thoát nước bị tắc ở An Mỹ")
    message = parse_event(event)
    assert message is not None
    assert (message.channel, message.kind) == (Channel.ZALO, MessageKind.TEXT)
    assert message.channel_user_id == USER and message.message_id == event["message"]["msg_id"]
    assert message.text == "Cống thoát nước bị tắc ở An Mỹ"
    assert int(message.received_at.timestamp() * 1000) == pytest.approx(int(event["timestamp"]), abs=1)


def test_numeric_ids_become_strings():
    event = zw.text_event(APP_ID, USER, "a") | {"sender": {"id": 246845883529197922}}
    message = parse_event(json.loads(json.dumps(event)))
    assert message is not None and message.channel_user_id == "246845883529197922"


def test_image_event():
    message = parse_event(zw.image_event(APP_ID, USER, "https://photo-stal.zadn.vn/a.jpg", text="ổ gà"))
    assert message is not None and message.kind is MessageKind.PHOTO
    assert message.photo_urls == ("https://photo-stal.zadn.vn/a.jpg",) and message.text == "ổ gà"


def test_location_event_with_string_coordinates():
    message = parse_event(zw.location_event(APP_ID, USER, 15.5736, 108.474))
    assert message is not None and message.kind is MessageKind.LOCATION
    assert (message.latitude, message.longitude) == (15.5736, 108.474)


@pytest.mark.parametrize(("follow", "kind"), [(True, MessageKind.FOLLOW), (False, MessageKind.UNFOLLOW)])
def test_follow_and_unfollow(follow, kind):
    event = zw.follow_event(APP_ID, USER, follow=follow)
    message = parse_event(event)
    assert message is not None and message.kind is kind and message.channel_user_id == USER
    assert message == parse_event(event)


def test_unsupported_user_events():
    message = parse_event(zw.sticker_event(APP_ID, USER))
    assert message is not None and message.kind is MessageKind.UNSUPPORTED


IGNORED = [
    zw.oa_echo_event(APP_ID, USER, "Cảm ơn"),
    zw.seen_event(APP_ID, USER),
    {"event_name": "user_received_message"},
    {"event_name": "shop_has_order"},
]


@pytest.mark.parametrize("event", IGNORED)
def test_echo_receipts_and_unknown_events_are_ignored(event):
    assert parse_event(event) is None


def _located(coordinates):
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    message = {"msg_id": "m", "attachments": [attachment]}
    return {"event_name": "user_send_location", "sender": {"id": USER}, "message": message}


MALFORMED = [
    {"event_name": "user_send_text", "sender": {"id": USER}, "message": {"text": "no id"}},
    {"event_name": "user_send_text", "message": {"msg_id": "m", "text": "no sender"}},
    {"event_name": "user_send_image", "sender": {"id": USER}, "message": {"msg_id": "m", "attachments": []}},
    _located({"latitude": "x"}),
    _located({"latitude": 95, "longitude": 1}),
    {"event_name": "follow", "follower": {}},
]


@pytest.mark.parametrize("event", MALFORMED)
def test_malformed_events_are_rejected(event):
    with pytest.raises(MalformedPayload):
        parse_event(event)
