"""A real HTTP server on 127.0.0.1 for download tests: Range support, cuts, errors."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class ServerState:
    """Switches the tests flip, and what the server saw."""

    root: Path
    ranges: bool = True
    cut_after: int | None = None  # close the connection after this many bytes, once
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)


def _handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _file(self) -> Path | None:
            p = state.root / self.path.lstrip("/")
            return p if p.is_file() else None

        def do_HEAD(self) -> None:
            state.requests.append(("HEAD", self.path, None))
            p = self._file()
            if p is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(p.stat().st_size))
            self.end_headers()

        def do_GET(self) -> None:
            rng = self.headers.get("Range")
            state.requests.append(("GET", self.path, rng))
            p = self._file()
            if p is None:
                self.send_error(404)
                return
            data = p.read_bytes()
            start = 0
            m = re.match(r"bytes=(\d+)-$", rng or "")
            if state.ranges and m:
                start = int(m.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.cut_after is not None:
                n, state.cut_after = state.cut_after, None
                self.wfile.write(body[:n])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


class LocalServer:
    """Serves ``root`` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, root: Path) -> None:
        self.state = ServerState(root)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, name: str) -> str:
        """URL of a served file."""
        return f"{self.base}/{name}"

    def close(self) -> None:
        """Stop the server."""
        self.httpd.shutdown()
        self.httpd.server_close()
