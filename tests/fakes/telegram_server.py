"""FakeTelegramServer: the Bot API over HTTP at /bot<token>/<method>, files at /file/bot<token>/."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes._faults import Faults
from tests.fakes._http import FakeHttpServer, FakeRequest, FakeResponse, Upload

DEFAULT_TOKEN = "123456:TEST-token_for-fake"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "IOC Quảng Nam", "username": "ioc_qn_bot"}
DELIVERY_METHODS = ("sendMessage", "sendPhoto")
DEFAULT_DESCRIPTIONS = {
    429: "Too Many Requests: retry after {retry_after}",
    403: "Forbidden: bot was blocked by the user",
    400: "Bad Request: chat not found",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True)
class TelegramFault:
    """An HTTP error the fake answers instead of the method's result."""

    status: int
    description: str
    retry_after: int | None = None


@dataclass(frozen=True)
class TelegramCall:
    """One accepted Bot API call."""

    method: str
    params: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)

    def json_param(self, name: str) -> Any:
        """Decode a JSON-encoded parameter such as reply_markup (None if absent)."""
        value = self.params.get(name)
        return json.loads(value) if value is not None else None

    @property
    def button_rows(self) -> list[list[tuple[str, str]]]:
        """Return the inline keyboard as rows of (text, callback_data)."""
        markup = self.json_param("reply_markup") or {"inline_keyboard": []}
        return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


class FakeTelegramServer(FakeHttpServer):
    """Records calls, serves getFile/downloads and getUpdates, and fails on request."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.calls: list[TelegramCall] = []
        self.rejected: list[tuple[str, TelegramFault]] = []
        self.webhook: dict[str, str] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self._updates: list[dict[str, Any]] = []
        self._updates_changed = threading.Condition(self.lock)
        self._faults: Faults[TelegramFault] = Faults()
        self._message_ids = itertools.count(1000)
        self.answering = threading.Event()  # cleared: deliveries are accepted, their answers held
        self.answering.set()

    # -- test controls -----------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        status: int,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        methods: tuple[str, ...] = DELIVERY_METHODS,
    ) -> None:
        """Answer the next ``count`` calls to ``methods`` with an HTTP error."""
        text = description or DEFAULT_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        self._faults.add(count, TelegramFault(status, text, retry_after), methods)

    def add_file(self, file_id: str, content: bytes, file_path: str = "") -> str:
        """Make ``file_id`` downloadable through getFile; return its file_path."""
        path = file_path or f"photos/file_{len(self._files)}.jpg"
        with self.lock:
            self._files[file_id] = (path, content)
        return path

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an Update for getUpdates."""
        with self._updates_changed:
            self._updates.append(update)
            self._updates_changed.notify_all()

    def sent(self, method: str | None = None, chat_id: str | int | None = None) -> list[TelegramCall]:
        """Return accepted calls, optionally only of ``method`` to ``chat_id``."""
        with self.lock:
            return [
                call
                for call in self.calls
                if (method is None or call.method == method)
                and (chat_id is None or call.params.get("chat_id") == str(chat_id))
            ]

    @property
    def api_base_url(self) -> str:
        """Return the value for TELEGRAM_API_BASE_URL."""
        return self.base_url

    # -- protocol ----------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route /bot<token>/<method> and /file/bot<token>/<path>."""
        file_prefix = f"/file/bot{self.token}/"
        if request.path.startswith(file_prefix):
            return self._download(request.path.removeprefix(file_prefix))
        prefix, _, method = request.path.rpartition("/")
        if prefix != f"/bot{self.token}":
            return _error(401 if prefix.startswith("/bot") else 404, "Unauthorized")
        params, files = request.form()
        fault = self._faults.take(method)
        if fault is not None:
            with self.lock:
                self.rejected.append((method, fault))
            return _fault_response(fault)
        return self._call(method, params, files)

    def _call(self, method: str, params: dict[str, str], files: dict[str, Upload]) -> FakeResponse:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        if method != "getUpdates":
            with self.lock:
                self.calls.append(TelegramCall(method, params, files))
        if method in DELIVERY_METHODS:
            self.answering.wait(timeout=60)
        return handler(params)

    def _api_getMe(self, params: dict[str, str]) -> FakeResponse:
        return _ok(BOT_USER)

    def _api_sendMessage(self, params: dict[str, str]) -> FakeResponse:
        if not params.get("text"):
            return _error(400, "Bad Request: message text is empty")
        return _ok(self._message(params, text=params["text"]))

    def _api_sendPhoto(self, params: dict[str, str]) -> FakeResponse:
        size = {"file_id": "sent-photo", "file_unique_id": "sent-photo-u", "width": 800, "height": 600}
        return _ok(self._message(params, photo=[size], caption=params.get("caption")))

    def _api_answerCallbackQuery(self, params: dict[str, str]) -> FakeResponse:
        return _ok(True)

    def _api_setWebhook(self, params: dict[str, str]) -> FakeResponse:
        with self.lock:
            self.webhook = dict(params)
        return _ok(True)

    def _api_deleteWebhook(self, params: dict[str, str]) -> FakeResponse:
        with self.lock:
            self.webhook = {}
        return _ok(True)

    def _api_getFile(self, params: dict[str, str]) -> FakeResponse:
        file_id = params.get("file_id", "")
        with self.lock:
            found = self._files.get(file_id)
        if found is None:
            return _error(400, "Bad Request: invalid file_id")
        path, content = found
        return _ok({"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(content),
                    "file_path": path})  # fmt: skip

    def _api_getUpdates(self, params: dict[str, str]) -> FakeResponse:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        with self._updates_changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._updates_changed.wait(deadline - time.monotonic())
            return _ok(list(self._updates))

    def _message(self, params: dict[str, str], **content: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id", "0")
        chat = {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0, "type": "private"}
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": BOT_USER}  # fmt: skip
        return message | {k: v for k, v in content.items() if v is not None}

    def _download(self, path: str) -> FakeResponse:
        with self.lock:
            found = [content for file_path, content in self._files.values() if file_path == path]
        if not found:
            return FakeResponse(404, b"Not Found", "text/plain")
        return FakeResponse(200, found[0], "application/octet-stream")


def _ok(result: Any) -> FakeResponse:
    return FakeResponse.of_json({"ok": True, "result": result})


def _error(status: int, description: str) -> FakeResponse:
    return FakeResponse.of_json({"ok": False, "error_code": status, "description": description}, status)


def _fault_response(fault: TelegramFault) -> FakeResponse:
    body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
    if fault.retry_after is not None:
        body["parameters"] = {"retry_after": fault.retry_after}
    return FakeResponse.of_json(body, fault.status)
