"""Run the fake Telegram and Zalo APIs in their own process (for the delivery benchmark).

Prints one JSON line with their URLs and credentials, then serves until stdin closes."""

from __future__ import annotations

import json
import sys

import backend_env  # noqa: F401  (puts the project root on sys.path)

from tests.fakes import FakeTelegramServer, FakeZaloServer


def main() -> None:
    """Serve both fakes until stdin reaches its end."""
    with FakeTelegramServer() as telegram, FakeZaloServer() as zalo:
        print(json.dumps({
            "telegram_base_url": telegram.base_url, "telegram_token": telegram.token,
            "zalo_base_url": zalo.base_url, "zalo_app_id": zalo.app_id, "zalo_app_secret": zalo.app_secret,
            "zalo_access_token": zalo.access_token, "zalo_refresh_token": zalo.refresh_token,
        }), flush=True)  # fmt: skip
        sys.stdin.read()


if __name__ == "__main__":
    main()
