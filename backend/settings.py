"""Process settings, read once from the environment (and .env) at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the backend process; names match the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///var/ioc.db"
    redis_url: str | None = None
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
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    open311_api_keys: str = Field(default="", repr=False)  # comma-separated; SERVICE_TOKEN also works


def get_settings() -> Settings:
    """Build the settings from the environment."""
    return Settings()
