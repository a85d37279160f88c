"""Channel settings (on/off, no secrets in repr) and Zalo's numbered choices."""

from __future__ import annotations

import pytest

from channels import (
    Button,
    TelegramConfig,
    TokenPair,
    ZaloConfig,
    enabled_channels,
    render_text,
    resolve_choice,
)

BUTTONS = (
    Button("Hài lòng", "/rate_5"),
    Button("Bình thường", "/rate_3"),
    Button("Chưa hài lòng", "/rate_1"),
)
ZALO = ZaloConfig(app_id="1", app_secret="app-secret", oa_secret_key="oa-key", refresh_token="r-0")


def test_channels_without_credentials_are_off():
    assert enabled_channels(TelegramConfig(), ZaloConfig()) == {"webchat"}


def test_configured_channels_are_on():
    assert enabled_channels(TelegramConfig(bot_token="1:a"), ZALO) == {"webchat", "telegram", "zalo"}


@pytest.mark.parametrize("missing", ["app_id", "app_secret", "oa_secret_key"])
def test_zalo_is_off_without_any_credential(missing):
    config = ZaloConfig(**{**{"app_id": "1", "app_secret": "s", "oa_secret_key": "k", "access_token": "a"},
                           missing: ""})  # fmt: skip
    assert not config.configured


def test_secrets_never_appear_in_repr():
    texts = repr(TelegramConfig(bot_token="1:tok", webhook_secret="hook")) + repr(ZALO)
    texts += repr(TokenPair("access-secret", "refresh-secret"))
    for secret in ("1:tok", "hook", "app-secret", "oa-key", "r-0", "access-secret", "refresh-secret"):
        assert secret not in texts


def test_buttons_render_as_numbered_choices_with_a_hint():
    text = render_text("Anh/chị hài lòng không?", BUTTONS, hint="Trả lời bằng số.")
    assert (
        text == "Anh/chị hài lòng không?\n\n1. Hài lòng\n2. Bình thường\n3. Chưa hài lòng\n\nTrả lời bằng số."
    )


def test_text_without_buttons_is_unchanged():
    assert render_text("Xin chào", ()) == "Xin chào"


@pytest.mark.parametrize(
    ("reply", "payload"), [("1", "/rate_5"), (" 3. ", "/rate_1"), ("bình thường", "/rate_3")]
)
def test_replies_resolve_to_payloads(reply, payload):
    assert resolve_choice(reply, BUTTONS) == payload


@pytest.mark.parametrize("reply", ["0", "4", "12", "rác thải", ""])
def test_other_replies_are_not_choices(reply):
    assert resolve_choice(reply, BUTTONS) is None
