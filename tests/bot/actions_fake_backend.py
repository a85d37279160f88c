"""A local HTTP server speaking the backend's bot API (docs/ARCHITECTURE.md), for action tests."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

SERVICE_TOKEN = "test-service-token"
TICKET_PATH = re.compile(r"^/api/v1/tickets/([^/]+)$")
RATING_PATH = re.compile(r"^/api/v1/tickets/([^/]+)/rating$")
CITIZEN_PATH = re.compile(r"^/api/v1/citizens/([^/]+)/([^/]+)/tickets$")
STATUS_VI = {"assigned": "Đã chuyển đơn vị xử lý", "resolved": "Đã xử lý xong"}


@dataclass
class BackendState:
    """Tickets, idempotency keys and every request the fake backend has seen."""

    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None

    def add_ticket(self, code: str, channel: str, user: str, status: str = "assigned") -> dict[str, Any]:
        """Store a ticket owned by channel:user."""
        ticket = {
            "code": code,
            "status": status,
            "status_vi": STATUS_VI[status],
            "category": "environment",
            "department": {"code": "TK-MT", "name": "Phòng Tài nguyên và Môi trường Tam Kỳ"},
            "department_name": "Phòng Tài nguyên và Môi trường Tam Kỳ",
            "due_at": "2026-12-03T17:00:00+07:00",
            "last_reply": None,
            "owner": (channel, user),
        }
        self.tickets[code] = ticket
        return ticket


class _Handler(BaseHTTPRequestHandler):
    state: BackendState

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        url = urlparse(self.path)
        body = self._body()
        self.state.requests.append(
            {
                "method": method,
                "path": url.path,
                "query": parse_qs(url.query),
                "headers": dict(self.headers),
                "body": body,
            }
        )
        if self.state.fail_with:
            return self._reply(self.state.fail_with, {"detail": "server error"})
        if self.headers.get("Authorization") != f"Bearer {SERVICE_TOKEN}":
            return self._reply(401, {"detail": "bad token"})
        self._route(method, url.path, parse_qs(url.query), body)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
        if method == "POST" and path == "/api/v1/tickets":
            return self._create(body)
        if method == "POST" and (match := RATING_PATH.match(path)):
            return self._rate(unquote(match.group(1)), body)
        if method == "GET" and (match := CITIZEN_PATH.match(path)):
            return self._list((unquote(match.group(1)), unquote(match.group(2))))
        if method == "GET" and (match := TICKET_PATH.match(path)):
            owner = (query.get("channel", [""])[0], query.get("channel_user_id", [""])[0])
            return self._show(unquote(match.group(1)), owner)
        self._reply(404, {"detail": "no route"})

    def _create(self, body: dict[str, Any]) -> None:
        if not body.get("description") or not body.get("category"):
            return self._reply(422, {"detail": "description and category are required"})
        key = self.headers.get("Idempotency-Key", "")
        if key in self.state.keys:
            return self._reply(200, _created(self.state.tickets[self.state.keys[key]]))
        code = f"PA-2026-{len(self.state.tickets) + 1:06d}"
        contact = body["contact"]
        ticket = self.state.add_ticket(code, contact["channel"], contact["channel_user_id"])
        ticket["report"] = body
        self.state.keys[key] = code
        self._reply(201, _created(ticket))

    def _show(self, code: str, owner: tuple[str, str]) -> None:
        ticket = self.state.tickets.get(code)
        if not ticket or ticket["owner"] != owner:
            return self._reply(404, {"detail": "not found"})
        self._reply(200, _public(ticket))

    def _list(self, owner: tuple[str, str]) -> None:
        items = [_public(t) for t in reversed(self.state.tickets.values()) if t["owner"] == owner]
        self._reply(200, {"items": items})

    def _rate(self, code: str, body: dict[str, Any]) -> None:
        ticket = self.state.tickets.get(code)
        if not ticket or ticket["owner"] != (body.get("channel"), body.get("channel_user_id")):
            return self._reply(404, {"detail": "not found"})
        if ticket["status"] != "resolved":
            return self._reply(409, {"detail": "ticket is not resolved"})
        ticket["rating"] = body["score"]
        self._reply(200, {"code": code, "score": body["score"]})

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _created(ticket: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "status", "category", "department", "due_at")
    return {**{k: ticket[k] for k in keys}, "unit": None, "possible_duplicate_of": None}


def _public(ticket: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ticket.items() if k not in ("owner", "report")}


class FakeBackend:
    """The fake backend running on 127.0.0.1 in a thread."""

    def __init__(self) -> None:
        self.state = BackendState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeBackend:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
