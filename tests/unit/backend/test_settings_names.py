"""The channel and gateway settings keep the environment names deployers and monitoring rely on,
and .env.example lists each of them."""

from __future__ import annotations

import re

import pytest

from backend.settings import PROJECT_ROOT, Settings

CHANNEL_SETTINGS = {  # name → a value to read back
    "TELEGRAM_BOT_TOKEN": "123456:token",
    "TELEGRAM_WEBHOOK_SECRET": "hook-secret",
    "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9001",
    "ZALO_APP_ID": "4318000000000000001",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_SECRET_KEY": "oa-key",
    "ZALO_ACCESS_TOKEN": "access-0",
    "ZALO_REFRESH_TOKEN": "refresh-0",
    "ZALO_API_BASE_URL": "http://127.0.0.1:9002",
    "ZALO_OAUTH_BASE_URL": "http://127.0.0.1:9003",
    "DATABASE_URL": "postgresql://ioc@db/ioc",
    "REDIS_URL": "redis://redis:6379/0",
    "RASA_URL": "http://rasa:5005",
}
# Not named by the channels issue, but a deployment of the gateway needs them too: the single-use
# Zalo refresh token's file (lost with an ephemeral disk: the OA must be authorised again).
GATEWAY_SETTINGS = (
    "ZALO_TOKEN_FILE", "RASA_ACK_TIMEOUT", "RASA_TIMEOUT", "RATE_LIMIT_PER_MINUTE",
    "OUTBOX_MAX_ATTEMPTS", "OUTBOX_BACKOFF_BASE", "OUTBOX_BACKOFF_MAX", "OUTBOX_LEASE_SECONDS",
    "RASA_GATEWAY_TOKEN",
)  # fmt: skip
DEFAULT_BASE_URLS = {
    "telegram_api_base_url": "https://api.telegram.org",
    "zalo_api_base_url": "https://openapi.zalo.me",
    "zalo_oauth_base_url": "https://oauth.zaloapp.com",
}


def test_channel_settings_are_read_from_their_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CHANNEL_SETTINGS.items():
        monkeypatch.setenv(name, value)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert {name: str(getattr(settings, name.lower())) for name in CHANNEL_SETTINGS} == CHANNEL_SETTINGS


def test_base_urls_default_to_the_real_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in DEFAULT_BASE_URLS:
        monkeypatch.delenv(field.upper(), raising=False)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert {field: getattr(settings, field) for field in DEFAULT_BASE_URLS} == DEFAULT_BASE_URLS


def test_env_example_lists_every_channel_and_gateway_setting() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))

    assert sorted({*CHANNEL_SETTINGS, *GATEWAY_SETTINGS} - listed) == []
    for field, url in DEFAULT_BASE_URLS.items():
        assert f"{field.upper()}={url}\n" in text
