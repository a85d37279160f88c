"""FakeZaloServer: Zalo OA API v3 CS messages, image upload, OAuth v4 refresh, media files."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes._faults import Faults
from tests.fakes._http import FakeHttpServer, FakeRequest, FakeResponse, Upload

MESSAGE_PATH = "/v3.0/oa/message/cs"
UPLOAD_PATH = "/v2.0/oa/upload/image"
TOKEN_PATH = "/v4/oa/access_token"
ERROR_MESSAGES = {
    -32: "Exceeded the request limit",
    -201: "Parameters are invalid",
    -216: "Access token is invalid",
    -220: "Access token has expired",
    -230: "User has not interacted with the OA in the last 7 days",
    -232: "User has not interacted with the OA in the last 7 days (follower)",
}


@dataclass(frozen=True)
class ZaloFault:
    """An error the fake answers: a Zalo error code (HTTP 200) or an HTTP status."""

    code: int | None = None
    status: int = 200


@dataclass(frozen=True)
class CsMessage:
    """One accepted CS message."""

    user_id: str
    message: dict[str, Any]
    access_token: str

    @property
    def text(self) -> str:
        """Return the message text."""
        return str(self.message.get("text", ""))

    @property
    def media(self) -> list[dict[str, Any]]:
        """Return the media template elements, if any."""
        attachment = self.message.get("attachment") or {}
        return list(attachment.get("payload", {}).get("elements", []))


class FakeZaloServer(FakeHttpServer):
    """Checks access tokens, issues single-use refresh tokens, records calls, fails on request."""

    def __init__(
        self,
        *,
        app_id: str = "4318000000000000001",
        app_secret: str = "fake-app-secret",
        access_token: str = "access-0",
        refresh_token: str = "refresh-0",
        refresh_delay: float = 0.0,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.refresh_delay = refresh_delay
        self.messages: list[CsMessage] = []
        self.uploads: dict[str, Upload] = {}
        self.refreshes: list[str] = []
        self.reused_refresh_tokens: list[str] = []
        self.refused_access_tokens: list[str] = []
        self.refresh_gate: threading.Event | None = None  # refreshes answer once the test sets it
        self.rejected: list[tuple[str, ZaloFault]] = []
        self._used_refresh_tokens: set[str] = set()
        self._media: dict[str, tuple[bytes, str]] = {}
        self._redirects: dict[str, str] = {}
        self.media_requests: list[str] = []  # names asked for under /media/, in order
        self._faults: Faults[ZaloFault] = Faults()
        self._serial = itertools.count(1)
        self._token_serial = itertools.count(1)

    # -- test controls -----------------------------------------------------------------

    def fail_next(self, count: int, code: int, *, paths: tuple[str, ...] = (MESSAGE_PATH,)) -> None:
        """Answer the next ``count`` calls to ``paths`` with Zalo error ``code``."""
        self._faults.add(count, ZaloFault(code=code), paths)

    def fail_next_http(self, count: int, status: int, *, paths: tuple[str, ...] = (MESSAGE_PATH,)) -> None:
        """Answer the next ``count`` calls to ``paths`` with an HTTP error status."""
        self._faults.add(count, ZaloFault(status=status), paths)

    def expire_access_token(self) -> None:
        """Make the current access token invalid (the refresh token stays valid)."""
        with self.lock:
            self.access_token = f"expired-{next(self._serial)}"

    def add_media(self, name: str, content: bytes, content_type: str = "image/jpeg") -> str:
        """Serve ``content`` like Zalo's CDN; return its URL."""
        with self.lock:
            self._media[name] = (content, content_type)
        return f"{self.base_url}/media/{name}"

    def add_redirect(self, name: str, location: str) -> str:
        """Answer ``/media/<name>`` with a 302 to ``location``; return its URL."""
        with self.lock:
            self._redirects[name] = location
        return f"{self.base_url}/media/{name}"

    def media_url(self, name: str) -> str:
        """The URL of ``/media/<name>`` (served or not)."""
        return f"{self.base_url}/media/{name}"

    def fail_media(self, count: int, status: int, name: str) -> None:
        """Answer the next ``count`` requests for ``/media/<name>`` with an HTTP error status."""
        self._faults.add(count, ZaloFault(status=status), (f"/media/{name}",))

    def messages_to(self, user_id: str) -> list[CsMessage]:
        """Return accepted messages to ``user_id``."""
        with self.lock:
            return [m for m in self.messages if m.user_id == user_id]

    # -- protocol ----------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route the three API paths and /media/."""
        if request.method == "GET" and request.path.startswith("/media/"):
            return self._serve_media(request.path.removeprefix("/media/"))
        routes = {MESSAGE_PATH: self._send, UPLOAD_PATH: self._upload, TOKEN_PATH: self._refresh}
        route = routes.get(request.path)
        if route is None or request.method != "POST":
            return FakeResponse(404, b"Not Found", "text/plain")
        fault = self._faults.take(request.path)
        if fault is not None:
            with self.lock:
                self.rejected.append((request.path, fault))
            return _fault_response(fault)
        return route(request)

    def _send(self, request: FakeRequest) -> FakeResponse:
        if request.header("access_token") != self.access_token:
            return self._refuse_token(request)
        body = request.json()
        invalid = _invalid_message(body, set(self.uploads))
        if invalid:
            return _zalo_error(-201, invalid)
        user_id = body["recipient"]["user_id"]
        with self.lock:
            self.messages.append(CsMessage(user_id, body["message"], self.access_token))
        return _zalo_ok({"message_id": f"zmsg-{next(self._serial)}", "user_id": user_id})

    def _upload(self, request: FakeRequest) -> FakeResponse:
        if request.header("access_token") != self.access_token:
            return self._refuse_token(request)
        _, files = request.form()
        upload = files.get("file")
        if upload is None or not upload.content_type.startswith("image/") or not upload.content:
            return _zalo_error(-201, "file must be an image")
        attachment_id = f"att-{next(self._serial)}"
        with self.lock:
            self.uploads[attachment_id] = upload
        return _zalo_ok({"attachment_id": attachment_id})

    def _refresh(self, request: FakeRequest) -> FakeResponse:
        form, _ = request.form()
        if request.header("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return _oauth_error(-14001, "Invalid app")
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(-14002, "Invalid grant type")
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        gate = self.refresh_gate
        if gate is not None and not gate.wait(timeout=10):
            return FakeResponse(504, b"refresh gate never opened", "text/plain")
        return self._rotate(form.get("refresh_token", ""))

    def _refuse_token(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            self.refused_access_tokens.append(request.header("access_token") or "")
        return _zalo_error(-216)

    def _rotate(self, refresh_token: str) -> FakeResponse:
        with self.lock:
            self.refreshes.append(refresh_token)
            if refresh_token in self._used_refresh_tokens:
                self.reused_refresh_tokens.append(refresh_token)
            if refresh_token != self.refresh_token:
                return _oauth_error(-14014, "Invalid refresh token")
            self._used_refresh_tokens.add(refresh_token)
            serial = next(self._token_serial)
            self.access_token, self.refresh_token = f"access-{serial}", f"refresh-{serial}"
            pair = {"access_token": self.access_token, "refresh_token": self.refresh_token}
        return FakeResponse.of_json(pair | {"expires_in": "90000"})

    def _serve_media(self, name: str) -> FakeResponse:
        with self.lock:
            self.media_requests.append(name)
            found, location = self._media.get(name), self._redirects.get(name)
        fault = self._faults.take(f"/media/{name}")
        if fault is not None:
            return _fault_response(fault)
        if location is not None:
            return FakeResponse(302, b"", "text/plain", {"Location": location})
        if found is None:
            return FakeResponse(404, b"Not Found", "text/plain")
        return FakeResponse(200, *found)


def _invalid_message(body: Any, uploaded: set[str]) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("recipient"), dict):
        return "recipient is required"
    if not isinstance(body["recipient"].get("user_id"), str):
        return "recipient.user_id must be a string"
    message = body.get("message")
    if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
        return "message needs text or attachment"
    if len(message.get("text", "")) > 2000:
        return "text longer than 2000 characters"
    elements = (message.get("attachment") or {}).get("payload", {}).get("elements", [])
    if any("attachment_id" in e and e["attachment_id"] not in uploaded for e in elements):
        return "unknown attachment_id"
    return None


def _zalo_ok(data: dict[str, Any]) -> FakeResponse:
    return FakeResponse.of_json({"error": 0, "message": "Success", "data": data})


def _zalo_error(code: int, detail: str | None = None) -> FakeResponse:
    return FakeResponse.of_json({"error": code, "message": detail or ERROR_MESSAGES.get(code, "Error")})


def _oauth_error(code: int, name: str) -> FakeResponse:
    return FakeResponse.of_json({"error": code, "error_name": name, "error_description": name})


def _fault_response(fault: ZaloFault) -> FakeResponse:
    if fault.code is not None:
        return _zalo_error(fault.code)
    return FakeResponse(fault.status, b"<html>Service Unavailable</html>", "text/html")
