"""A local HTTP server that serves list files the way a publisher's server might misbehave.

Used by the `lists fetch` tests and bench (no internet here): each path is a Route with its
bytes, the Content-Type sent, and optionally a Content-Length that lies (more bytes announced
than sent, then the connection closes: a truncated transfer). Unknown paths get 404. Routes can
be changed while the server runs. Bound to 127.0.0.1 on a free port.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CSV = "text/csv; charset=windows-1252"
XML = "application/xml"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Route:
    body: bytes
    content_type: str | None = CSV
    announce: int | None = None
    """Content-Length sent instead of the body's length (larger: a cut transfer)."""
    status: int = 200
    last_modified: str | None = None


class ListServer:
    """`with ListServer.running() as server: server.routes["/ofac/sdn.csv"] = Route(...)`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                route = outer.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                if route.content_type is not None:
                    self.send_header("Content-Type", route.content_type)
                if route.last_modified is not None:
                    self.send_header("Last-Modified", route.last_modified)
                length = route.announce if route.announce is not None else len(route.body)
                self.send_header("Content-Length", str(length))
                if route.announce is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(route.body)
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve_file(self, path: str, file: Path, content_type: str | None = CSV) -> None:
        self.routes[path] = Route(file.read_bytes(), content_type)

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[ListServer]:
        server = cls()
        server.thread.start()
        try:
            yield server
        finally:
            server.httpd.shutdown()
            server.httpd.server_close()
