"""A loopback HTTP server that answers portal requests with recorded payloads.

The demo points `HttpSettings.host_overrides` at it, so a request for
``https://bandi.regione.piemonte.it/contributi-finanziamenti?page=0`` arrives here as
``/bandi.regione.piemonte.it/contributi-finanziamenti?page=0`` and is answered from the
recording a route names. Unknown requests get a 404, which the sources record as errors,
just as they would against a real site.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Route:
    """Answer `method host path` (and, when given, these query parameters) with `file`."""

    method: str
    host: str
    path: str
    file: str
    query: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    delay: float = 0.0
    """Seconds to wait before answering (tests of slow portals)."""

    def matches(self, method: str, host: str, path: str, query: Mapping[str, list[str]]) -> bool:
        if (method, host, path.rstrip("/") or "/") != (
            self.method,
            self.host,
            self.path.rstrip("/") or "/",
        ):
            return False
        return all(query.get(k, [""])[0] == v for k, v in self.query.items())


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        asked = f"{method} {host}/{rest}{'?' if parts.query else ''}{parts.query}"
        for route in self.server.routes:
            if route.matches(method, host, "/" + rest, query):
                self.server.log.append(asked)
                if route.delay:
                    time.sleep(route.delay)
                body = (self.server.root / route.file).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.server.missed.append(asked)
        self.send_error(404, "no recording for this request")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, routes: Sequence[Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.routes = list(routes)
        self.log: list[str] = []
        self.missed: list[str] = []


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    log: list[str]
    """Requests answered from a recording."""
    missed: list[str]
    """Requests with no recording (answered 404)."""

    def overrides(self, hosts: Sequence[str]) -> dict[str, str]:
        return {host: f"{self.base_url}/{host}" for host in hosts}


@contextmanager
def serve_recordings(root: Path, routes: Sequence[Route]) -> Iterator[RunningServer]:
    """Serve `routes` from files under `root` on a free loopback port while the block runs."""
    server = _Server(root, routes)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield RunningServer(f"http://{host!s}:{port}", server.log, server.missed)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
