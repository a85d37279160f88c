"""Zalo's webhook signature against a known answer, not against our own formula.

Zalo documents X-ZEvent-Signature as "mac=" + hex SHA-256 of app id + the raw JSON body + the body's
`timestamp` + the OA secret key (not the app secret). The expected mac below was computed outside
Python, once, with: printf '%s' "$APP_ID$BODY$TIMESTAMP$OA_SECRET_KEY" | sha256sum
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.config import ZaloConfig
from channels.errors import InvalidSignature
from channels.zalo_webhook import parse_webhook

APP_ID = "4318219327912346102"
OA_SECRET_KEY = "Xq7ZpL2mN9vB4kR8tY1w"
BODY = (
    '{"app_id":"4318219327912346102","user_id_by_app":"8510592351307498127","event_name":"user_send_text",'
    '"timestamp":"1765094400123","sender":{"id":"2468458835296117922"},'
    '"recipient":{"id":"3886132808788008645"},'
    '"message":{"text":"Cống thoát nước trước chợ Tam Kỳ bị tắc",'
    '"msg_id":"e1b2c3d4e5f60718293a4b5c6d7e8f90"}}'
).encode()  # UTF-8 as Zalo sends it: the mac covers these exact bytes
EXPECTED_MAC = "e9f74f3d91446937a5febb7592386f63f19a9b56476f2279090a26c245c25818"
CONFIG = ZaloConfig(app_id=APP_ID, oa_secret_key=OA_SECRET_KEY)
SENT_AT = datetime.fromtimestamp(1765094400.123, UTC)  # the event's timestamp: within the replay window


def test_the_documented_example_is_accepted() -> None:
    message = parse_webhook(BODY, f"mac={EXPECTED_MAC}", CONFIG, SENT_AT)
    assert message is not None and message.text == "Cống thoát nước trước chợ Tam Kỳ bị tắc"
    assert message.channel_user_id == "2468458835296117922"


@pytest.mark.parametrize(
    "mac",
    [
        "c" + EXPECTED_MAC[1:],  # one hex digit off
        "0d9ff3bd7bd2b23b3fcd1b11ce9ac0d1b5b6e2fd25f4f4b8fb2ba2a90b0a52bd",  # some other digest
    ],
)
def test_any_other_mac_for_the_example_is_rejected(mac: str) -> None:
    with pytest.raises(InvalidSignature):
        parse_webhook(BODY, f"mac={mac}", CONFIG, SENT_AT)
