"""A local HTTP file server for download tests (127.0.0.1 only, no internet needed).

Loaded by ``tests/conftest.py`` through ``pytest_plugins``; use the ``http_server`` fixture::

    def test_x(http_server):
        data = http_server.add_random("a.zip", 3_000_000)
        http_server.cut_after = 1_000_000  # the next response is cut after 1 MB, once
        download(http_server.url("a.zip"), tmp_path / "a.zip")
        assert http_server.request_count == 2

Switches (plain attributes, change them at any time):

``range_support``
    False: ignore ``Range`` and always answer 200 with the whole file.
``cut_after``
    An int N: the next GET body is cut (connection closed) after N bytes; then resets to None.
``stall_after``
    An int N: the next GET body stops after N bytes and the server goes silent (until the test
    ends) without closing, to provoke a client read timeout; then resets to None.
``force_status``
    An int (404, 403, 500, ...): every request gets that status and a short text body.
``send_length``
    False: no ``Content-Length`` (the body ends when the connection closes).

Every request is recorded in ``requests`` (method, path, headers); ``request_count`` counts them.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class LocalHttpServer:
    """State and switches of the test server; see the module docstring."""

    root: Path
    port: int = 0
    range_support: bool = True
    cut_after: int | None = None
    stall_after: int | None = None
    force_status: int | None = None
    send_length: bool = True
    requests: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def url(self, name: str) -> str:
        """The address of a file under :attr:`root`."""
        return f"http://127.0.0.1:{self.port}/{name.lstrip('/')}"

    @property
    def request_count(self) -> int:
        """How many requests arrived so far."""
        with self._lock:
            return len(self.requests)

    def add_file(self, name: str, data: bytes) -> Path:
        """Write ``data`` to ``root / name`` (served from now on) and return the path."""
        p = self.root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p

    def add_random(self, name: str, size: int) -> bytes:
        """Serve ``size`` random bytes under ``name``; returns the bytes."""
        data = os.urandom(size)
        self.add_file(name, data)
        return data

    # -- used by the handler ---------------------------------------------------------------
    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _take_cut(self) -> tuple[int | None, int | None]:
        """The cut/stall limits for this response (each applies once)."""
        with self._lock:
            cut, stall = self.cut_after, self.stall_after
            self.cut_after = self.stall_after = None
            return cut, stall


def _make_handler(state: LocalHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection; body may end at close

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, body: bool) -> None:
            state._record(RecordedRequest(self.command, self.path, dict(self.headers.items())))
            if state.force_status is not None:
                self._plain(state.force_status, f"forced status {state.force_status}\n", body)
                return
            name = unquote(urlsplit(self.path).path).lstrip("/")
            file = (state.root / name).resolve()
            if state.root.resolve() not in file.parents or not file.is_file():
                self._plain(404, "not found\n", body)
                return
            data = file.read_bytes()
            size = len(data)
            start, end, status = 0, size - 1, 200
            rng = self.headers.get("Range")
            if rng and state.range_support:
                m = _RANGE.match(rng)
                if m and (m.group(1) or m.group(2)):
                    if m.group(1):
                        start = int(m.group(1))
                        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                    else:  # suffix range: the last N bytes
                        start = max(size - int(m.group(2)), 0)
                    if start >= size or start > end:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
            chunk = data[start : end + 1]
            self.send_response(status)
            if state.range_support:
                self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            if state.send_length:
                self.send_header("Content-Length", str(len(chunk)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            if body:
                self._send_body(chunk)

        def _send_body(self, chunk: bytes) -> None:
            cut, stall = state._take_cut()
            limit = min(x for x in (cut, stall, len(chunk)) if x is not None)
            try:
                view = memoryview(chunk)[:limit]
                for i in range(0, len(view), 64 * 1024):
                    self.wfile.write(view[i : i + 64 * 1024])
                self.wfile.flush()
                if limit == len(chunk):
                    return
                if stall is not None and stall == limit:
                    state._stop.wait()  # go silent until the server shuts down
                # cut: end the connection abruptly in the middle of the body
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client went away

        def _plain(self, status: int, text: str, body: bool) -> None:
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

    return Handler


@pytest.fixture
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHttpServer]:
    """A threaded HTTP server on 127.0.0.1 (random port) serving files from a temp folder."""
    root = tmp_path_factory.mktemp("http_root")
    state = LocalHttpServer(root=root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="http_server", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state._stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
