"""Citizens on Telegram and Zalo: they post webhooks to the running backend and read what the
fake platform APIs received."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx

from tests.e2e.journey import Reply
from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes import telegram_updates as tg
from tests.fakes import zalo_webhooks as zw

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 512 + bytes.fromhex("ffd9")
CHOICE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@dataclass
class TelegramCitizen:
    """A Telegram user writing to the bot through the webhook."""

    backend_url: str
    secret: str
    api: FakeTelegramServer
    chat_id: int

    def _post(self, update: dict[str, object]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        response = httpx.post(f"{self.backend_url}/webhooks/telegram", json=update, headers=headers)
        assert response.status_code == 200, response.text

    def say(self, text: str) -> None:
        """Send a text."""
        self._post(tg.text_update(self.chat_id, text, first_name="Lan", last_name="Nguyễn"))

    def send_photo(self) -> None:
        """Send a photo (served by the fake API's getFile)."""
        file_id = f"photo-{uuid.uuid4().hex[:8]}"
        self.api.add_file(file_id, JPEG, f"photos/{file_id}.jpg")
        self._post(tg.photo_update(self.chat_id, file_id))

    def share_location(self, latitude: float, longitude: float) -> None:
        """Share a location."""
        self._post(tg.location_update(self.chat_id, latitude, longitude))

    def choose(self, title: str) -> None:
        """Press the inline button whose title starts with ``title`` on the latest keyboard."""
        for call in reversed(self.api.sent(chat_id=self.chat_id)):
            for row in call.button_rows:
                for text, data in row:
                    if text.startswith(title):
                        self._post(tg.callback_update(self.chat_id, data))
                        return
        raise AssertionError(f"no button {title!r}")

    def received(self) -> list[Reply]:
        """Messages the bot sent to this chat."""
        return [
            Reply(call.params.get("text") or call.params.get("caption") or "",
                  tuple(text for row in call.button_rows for text, _ in row))
            for call in self.api.sent(chat_id=self.chat_id)
            if call.method in ("sendMessage", "sendPhoto")
        ]  # fmt: skip


@dataclass
class ZaloCitizen:
    """A Zalo user writing to the Official Account (signed webhooks)."""

    backend_url: str
    oa_secret_key: str
    api: FakeZaloServer
    user_id: str

    def _post(self, event: dict[str, object]) -> None:
        body, headers = zw.sign(event, self.api.app_id, self.oa_secret_key)
        response = httpx.post(f"{self.backend_url}/webhooks/zalo", content=body, headers=headers)
        assert response.status_code == 200, response.text

    def say(self, text: str) -> None:
        """Send a text."""
        self._post(zw.text_event(self.api.app_id, self.user_id, text))

    def send_photo(self) -> None:
        """Send an image (hosted on the fake Zalo CDN)."""
        url = self.api.add_media(f"{uuid.uuid4().hex[:8]}.jpg", JPEG)
        self._post(zw.image_event(self.api.app_id, self.user_id, url))

    def share_location(self, latitude: float, longitude: float) -> None:
        """Share a location."""
        self._post(zw.location_event(self.api.app_id, self.user_id, latitude, longitude))

    def choose(self, title: str) -> None:
        """Reply with the number of the choice whose title starts with ``title``."""
        for reply in reversed(self.received()):
            for number, choice in CHOICE.findall(reply.text):
                if choice.startswith(title):
                    self.say(number)
                    return
        raise AssertionError(f"no choice {title!r}")

    def received(self) -> list[Reply]:
        """CS messages the OA sent to this user (choices are numbered lines of the text)."""
        return [
            Reply(m.text, tuple(t for _, t in CHOICE.findall(m.text)))
            for m in self.api.messages_to(self.user_id)
        ]
