"""Channel settings as plain values; the backend's settings build them from the environment."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_ZALO_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_ZALO_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
DEFAULT_HTTP_TIMEOUT = 10.0
NETWORK_RETRY_AFTER = 5.0
ZALO_RATE_LIMIT_RETRY_AFTER = 60.0
DEFAULT_ZALO_MEDIA_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me")  # Zalo's CDN (photo-stal.zadn.vn, …)
# Zalo signs the event's own timestamp: older (or later) events are refused as replays
DEFAULT_ZALO_WEBHOOK_MAX_AGE_SECONDS = 900.0


@dataclass(frozen=True, slots=True, repr=False)
class TelegramConfig:
    """TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_BASE_URL."""

    bot_token: str = ""
    webhook_secret: str = ""
    api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL

    @property
    def configured(self) -> bool:
        """Tell whether the channel is on (it has a bot token)."""
        return bool(self.bot_token)

    def __repr__(self) -> str:
        return f"TelegramConfig(api_base_url={self.api_base_url!r}, configured={self.configured})"


@dataclass(frozen=True, slots=True, repr=False)
class ZaloConfig:
    """The ZALO_* settings; tokens here only seed the token store."""

    app_id: str = ""
    app_secret: str = ""
    oa_secret_key: str = ""
    access_token: str = ""
    refresh_token: str = ""
    api_base_url: str = DEFAULT_ZALO_API_BASE_URL
    oauth_base_url: str = DEFAULT_ZALO_OAUTH_BASE_URL
    media_hosts: tuple[str, ...] = DEFAULT_ZALO_MEDIA_HOSTS  # where image URLs may point (media_fetch)
    webhook_max_age_seconds: float = DEFAULT_ZALO_WEBHOOK_MAX_AGE_SECONDS

    @property
    def configured(self) -> bool:
        """Tell whether the channel is on (app, webhook key and a token are all set)."""
        has_token = bool(self.access_token or self.refresh_token)
        return bool(self.app_id and self.app_secret and self.oa_secret_key and has_token)

    def __repr__(self) -> str:
        return (
            f"ZaloConfig(app_id={self.app_id!r}, api_base_url={self.api_base_url!r}, "
            f"oauth_base_url={self.oauth_base_url!r}, configured={self.configured})"
        )


def enabled_channels(telegram: TelegramConfig, zalo: ZaloConfig) -> frozenset[str]:
    """Return the names of the channels that are on; web chat needs no credentials."""
    names = {"webchat"}
    if telegram.configured:
        names.add("telegram")
    if zalo.configured:
        names.add("zalo")
    return frozenset(names)
