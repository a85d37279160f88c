"""The Open311 client's API key."""

from __future__ import annotations

import pytest

from backend.settings import Settings


@pytest.fixture(scope="module")
def api_key(backend_settings: Settings) -> str:
    """The service token, which Open311 accepts as an api_key."""
    assert backend_settings.service_token
    return backend_settings.service_token


@pytest.fixture(scope="module")
def key_header(api_key: str) -> dict[str, str]:
    """The header that opens the full records."""
    return {"X-Api-Key": api_key}
