"""Web chat frames: browser → InboundMessage, OutboundMessage → browser."""

from __future__ import annotations

import json

import pytest

from channels import (
    Button,
    Channel,
    MalformedPayload,
    MessageKind,
    OutboundMessage,
    parse_frame,
    render_frame,
)

SESSION = "wb6f1c3e24a5d4f3b9c1e2d7a8e9f0a1b"


def frame(kind, **fields):
    return {"type": kind, "session_id": SESSION, "client_message_id": "m-1", **fields}


def test_text_frame_from_json_text():
    message = parse_frame(json.dumps(frame("text", text="Cây đổ chắn đường Trần Phú")))
    assert (message.channel, message.kind) == (Channel.WEBCHAT, MessageKind.TEXT)
    assert message.channel_user_id == SESSION and message.message_id == f"{SESSION}:m-1"
    assert message.text == "Cây đổ chắn đường Trần Phú"


def test_postback_frame():
    message = parse_frame(frame("postback", payload='/rate{"score":5}'))
    assert (
        message.kind is MessageKind.CALLBACK and message.callback_data == message.text == '/rate{"score":5}'
    )


def test_photo_frame_with_caption():
    message = parse_frame(frame("photo", text="ổ gà", payload={"url": "/media/abc.jpg"}))
    assert message.kind is MessageKind.PHOTO and message.photo_urls == ("/media/abc.jpg",)
    assert message.text == "ổ gà"


def test_photo_frame_with_several_urls():
    urls = ["http://127.0.0.1:8000/media/a.jpg", "http://127.0.0.1:8000/media/b.jpg"]
    assert parse_frame(frame("photo", payload={"urls": urls})).photo_urls == tuple(urls)


def test_location_frame():
    message = parse_frame(frame("location", payload={"latitude": 15.8801, "longitude": "108.338"}))
    assert message.kind is MessageKind.LOCATION and (message.latitude, message.longitude) == (
        15.8801,
        108.338,
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (frame("video"), "frame type"),
        ({"type": "text", "text": "a", "client_message_id": "m"}, "session_id"),
        (frame("text", session_id="../../etc"), "session_id"),
        (frame("text", session_id="w"), "session_id"),
        (frame("text", session_id="wb6f1c3e24a5d4f3b9c1e2d7a8e9f0a1"), "session_id"),
        (frame("text", session_id="WB6F1C3E24A5D4F3B9C1E2D7A8E9F0A1B"), "session_id"),
        (frame("text", client_message_id=""), "client_message_id"),
        (frame("text", text="   "), "without text"),
        (frame("text", text="x" * 4001), "at most"),
        (frame("postback", payload={"a": 1}), "string payload"),
        (frame("photo", payload={}), "urls"),
        (frame("photo", payload={"url": "javascript:alert(1)"}), "http"),
        (frame("location", payload={"latitude": 200, "longitude": 1}), "out of range"),
        (frame("location", payload={"latitude": "nan", "longitude": 1}), "out of range"),
        (frame("location", payload={"latitude": 1}), "numeric"),
    ],
)
def test_invalid_frames_say_why(data, reason):
    with pytest.raises(MalformedPayload, match=reason):
        parse_frame(data)


def test_render_frame():
    buttons = (Button("5 sao", '/rate{"score":5}'),)
    text = "Phản ánh đã được giải quyết."
    message = OutboundMessage(
        Channel.WEBCHAT,
        SESSION,
        text,
        buttons=buttons,
        image_url="/media/ket-qua.jpg",
        idempotency_key="outbox-42",
    )
    assert render_frame(message) == {
        "type": "message",
        "id": "outbox-42",
        "text": "Phản ánh đã được giải quyết.",
        "buttons": [{"title": "5 sao", "payload": '/rate{"score":5}'}],
        "image_url": "/media/ket-qua.jpg",
    }
    assert json.loads(json.dumps(render_frame(message), ensure_ascii=False)) == render_frame(message)
