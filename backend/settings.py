"""Process settings, read once from the environment (and .env) at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.adapters.db.rasa_tracker import rasa_tracker_url
from channels.config import (
    DEFAULT_TELEGRAM_API_BASE_URL,
    DEFAULT_ZALO_API_BASE_URL,
    DEFAULT_ZALO_MEDIA_HOSTS,
    DEFAULT_ZALO_OAUTH_BASE_URL,
    DEFAULT_ZALO_WEBHOOK_MAX_AGE_SECONDS,
    TelegramConfig,
    ZaloConfig,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
UPLOAD_MARGIN_BYTES = 64 * 1024  # multipart boundaries, part headers and the small form fields


class Settings(BaseSettings):
    """Every setting of the backend process; names match the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///var/ioc.db"
    redis_url: str | None = None
    redis_key_prefix: str = "ioc:"  # namespaces keys and pub/sub channels when deployments share a Redis
    rasa_url: str = "http://127.0.0.1:5005"
    service_token: str | None = Field(default=None, repr=False)
    media_dir: Path = Path("var/media")
    public_base_url: str = "http://127.0.0.1:8000"
    backend_port: int = 8000
    backend_host: str = "127.0.0.1"
    reference_dir: Path = PROJECT_ROOT / "reference"
    duplicate_radius_m: float = 150.0
    duplicate_days: int = 7
    duplicate_min_similarity: float = 0.4
    photo_max_bytes: int = 5 * 1024 * 1024
    photo_max_count: int = 5
    log_level: str = "INFO"
    secret_key: str | None = Field(default=None, repr=False)  # signs console session cookies
    session_max_age_s: int = 12 * 3600
    dashboard_cache_seconds: int = Field(default=30, ge=0, le=60)  # per-filter dashboard figures; 0 = off
    dashboard_prewarm_seconds: int = Field(default=20, ge=0, le=59)  # refresh-ahead period; 0 = off
    inbox_count_cap: int = Field(default=10_000, ge=1)  # inbox counts stop past it (shown as 10.000+)
    login_max_failures: int = 20  # per account; kept above LOGIN_FAILURES_PER_IP (one address cannot lock)
    login_lockout_minutes: int = 15
    open311_api_keys: str = Field(default="", repr=False)  # comma-separated; SERVICE_TOKEN also works
    # Channels (off while their credentials are unset) and the gateway.
    telegram_bot_token: str = Field(default="", repr=False)
    telegram_webhook_secret: str = Field(default="", repr=False)
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL
    zalo_app_id: str = ""
    zalo_app_secret: str = Field(default="", repr=False)
    zalo_oa_secret_key: str = Field(default="", repr=False)
    zalo_access_token: str = Field(default="", repr=False)
    zalo_refresh_token: str = Field(default="", repr=False)
    zalo_api_base_url: str = DEFAULT_ZALO_API_BASE_URL
    zalo_oauth_base_url: str = DEFAULT_ZALO_OAUTH_BASE_URL
    zalo_token_file: Path = Path("var/zalo_tokens.json")
    rasa_ack_timeout: float = 5.0
    rasa_timeout: float = 60.0
    rate_limit_per_minute: int = 20
    outbox_lease_seconds: float = 120.0
    outbox_max_attempts: int = 8
    outbox_backoff_base: float = 2.0
    outbox_backoff_max: float = 3600.0
    worker_poll_seconds: float = 1.0
    forwarder_sweep_seconds: float = 5.0
    # Issue 12 (poison messages, media fetch): a message that keeps failing for its own sake (its
    # photo cannot be fetched, an unexpected error) is tried at most INBOUND_MAX_ATTEMPTS times with
    # backoff, then parked (dead); Zalo image URLs are fetched only from these hosts.
    inbound_max_attempts: int = Field(default=4, ge=1)
    inbound_backoff_base: float = Field(default=5.0, gt=0)
    inbound_backoff_max: float = Field(default=60.0, gt=0)
    zalo_media_hosts: str = ",".join(DEFAULT_ZALO_MEDIA_HOSTS)  # host suffixes; "http://host" allows http
    # Rasa private to the backend (issue 12): the secret Rasa's gateway channel checks.
    rasa_gateway_token: str = Field(default="", repr=False)
    # Security perimeter, smaller holes (issue 12).
    demo_data: bool = False  # `prepare` seeds demo accounts into an empty non-SQLite database too
    chat_frame_ancestors: str = "*"  # CSP frame-ancestors of /chat: the sites that may embed the widget
    # Request-size limits and flood guards (issue 12: body sizes, sockets, per-address rates).
    max_body_bytes_webhook: int = Field(default=MIB, ge=1024)  # /webhooks/*
    max_body_bytes_api: int = Field(default=MIB, ge=1024)  # /api/*, /open311/*
    max_body_bytes_upload: int | None = Field(default=None, ge=1024)  # None: PHOTO_MAX_BYTES + 64 KiB
    max_body_bytes_default: int = Field(default=MIB, ge=1024)  # everything else (console forms, admin)
    webchat_sockets_per_ip: int = Field(default=20, ge=1)  # open /chat/ws sockets per address, per process
    webchat_sockets_total: int = Field(default=2000, ge=1)  # open /chat/ws sockets per process
    webchat_messages_per_ip_per_minute: int = Field(default=60, ge=1)  # frames and uploads per address
    webchat_max_frame_bytes: int = Field(default=64 * 1024, ge=1024)  # one /chat/ws frame; 1009 past it
    login_failures_per_ip: int = Field(default=10, ge=1)  # failed log-ins per address per window
    login_ip_window_minutes: int = Field(default=15, ge=1)
    # Photos on shared storage and operability (issue 14). MEDIA_STORE=s3 keeps photos in a private
    # bucket (MEDIA_DIR then only stages channel downloads); metrics listen on METRICS_HOST:METRICS_PORT
    # (0 = off), on loopback unless told otherwise.
    media_store: Literal["local", "s3"] = "local"
    s3_endpoint_url: str = ""  # empty = AWS; e.g. http://minio:9000
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = Field(default="", repr=False)
    s3_secret_access_key: str = Field(default="", repr=False)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    log_format: Literal["text", "json"] = "text"
    action_endpoint_url: str = ""  # the action server's webhook; /readyz checks its /health when set
    # Issue 12, malformed input: a signed Zalo event older or newer than this is a replay (0 = off)
    zalo_webhook_max_age_seconds: float = Field(default=DEFAULT_ZALO_WEBHOOK_MAX_AGE_SECONDS, ge=0)
    # Conversation state (issue 14): Rasa's SQL tracker store and how long idle conversations stay.
    tracker_store_url: str = Field(default="", repr=False)  # empty: derived from DATABASE_URL
    tracker_retention_days: int = Field(default=90, gt=0)

    @model_validator(mode="after")
    def _prewarm_before_expiry(self) -> Settings:
        """Refresh-ahead must come round before the entries it wrote expire."""
        cache, prewarm = self.dashboard_cache_seconds, self.dashboard_prewarm_seconds
        if cache and prewarm >= cache:
            raise ValueError("DASHBOARD_PREWARM_SECONDS must be shorter than DASHBOARD_CACHE_SECONDS")
        return self

    def upload_body_limit(self) -> int:
        """The largest multipart upload: MAX_BODY_BYTES_UPLOAD, else one photo plus the form's margin."""
        return self.max_body_bytes_upload or self.photo_max_bytes + UPLOAD_MARGIN_BYTES

    def rasa_tracker_url(self) -> str:
        """Where Rasa keeps conversations: TRACKER_STORE_URL, else derived from DATABASE_URL."""
        return self.tracker_store_url or rasa_tracker_url(self.database_url)

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL's replicas (a comma-separated list), without trailing slashes."""
        return [url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip()]

    def telegram_config(self) -> TelegramConfig:
        """The Telegram channel's settings."""
        return TelegramConfig(
            self.telegram_bot_token, self.telegram_webhook_secret, self.telegram_api_base_url
        )

    def zalo_config(self) -> ZaloConfig:
        """The Zalo OA channel's settings."""
        return ZaloConfig(
            self.zalo_app_id,
            self.zalo_app_secret,
            self.zalo_oa_secret_key,
            self.zalo_access_token,
            self.zalo_refresh_token,
            self.zalo_api_base_url,
            self.zalo_oauth_base_url,
            tuple(host.strip() for host in self.zalo_media_hosts.split(",") if host.strip()),
            self.zalo_webhook_max_age_seconds,
        )


def get_settings() -> Settings:
    """Build the settings from the environment."""
    return Settings()
