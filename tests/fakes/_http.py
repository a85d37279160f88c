"""A real HTTP server on 127.0.0.1 (random port) in a thread, for fakes of external APIs."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        """The port it listens on (or last listened on, once stopped)."""
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def start(self, port: int = 0) -> None:
        """Start serving in a daemon thread, on ``port`` (a free one if 0: stop, then start on
        the same port, is a restart of the API's process)."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, like the API's process ending: the port refuses new connections and
        the open ones (kept alive by clients) are closed."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def black_hole(port: int = 0) -> Iterator[str]:
    """A server on ``port`` (a free one if 0) that accepts connections and never answers, like a
    hung process; yields its base URL."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


class _Server(ThreadingHTTPServer):
    """Keeps its open connections, to close them when the fake stops."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed, or the fake stopped under it) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End every open connection (its handler thread then sees the end and exits)."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


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
