"""Fakes of external APIs (Telegram Bot API, Zalo OA API) as real HTTP servers in a thread."""

from tests.fakes.telegram_server import FakeTelegramServer, TelegramCall
from tests.fakes.zalo_server import CsMessage, FakeZaloServer

__all__ = ["CsMessage", "FakeTelegramServer", "FakeZaloServer", "TelegramCall"]
