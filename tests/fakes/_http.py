"""A real HTTP server on 127.0.0.1 (random port) in a thread, for fakes of external APIs."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass(frozen=True)
class Upload:
    """A file received in a multipart request."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FakeRequest:
    """What the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return a header, case-insensitively."""
        return self.headers.get(name.lower())

    def form(self) -> tuple[dict[str, str], dict[str, Upload]]:
        """Decode a urlencoded, multipart or JSON body into fields and files."""
        content_type = self.header("content-type") or ""
        if content_type.startswith("multipart/form-data"):
            return _multipart(content_type, self.body)
        if content_type.startswith("application/json"):
            data = json.loads(self.body or b"{}")
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}, {}
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True)), {}

    def json(self) -> Any:
        """Decode a JSON body (None when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class FakeResponse:
    """What the fake answers."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, data: Any, status: int = 200) -> FakeResponse:
        """Build a JSON response."""
        return cls(status=status, body=json.dumps(data, ensure_ascii=False).encode())


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    parser = BytesParser(EmailMessage, policy=HTTP)
    message = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode()
        else:
            files[name] = Upload(filename, part.get_content_type(), content)
    return fields, files


class FakeHttpServer:
    """Base of the fakes: subclasses implement ``handle``; use as a context manager."""

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.lock = threading.RLock()

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:<port>``."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Start serving in a daemon thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHttpServer
    protocol_version = "HTTP/1.1"
    # The status line and headers go out in one write and the body in another: with Nagle's
    # algorithm on, the body waits for the client's delayed ACK (~40 ms on Linux) on a
    # kept-alive connection, a delay no real API server adds.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=unquote(url.path),
            query=dict(parse_qsl(url.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.fake.handle(request)
        except Exception as exc:  # a bug in the fake must show up, not hang the client
            response = FakeResponse(500, f"fake server error: {exc!r}".encode(), "text/plain")
        self._write(response)

    def _write(self, response: FakeResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
