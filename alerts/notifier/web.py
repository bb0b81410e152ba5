"""The notifier's web port: `/metrics` and `/health`, every other path 404.

prometheus_client's `start_http_server` answers the metrics on every path, which makes any
probe of the port look like a live page; the notifier's port follows the worker's rule
(streams/web.py): only the documented paths answer, and a 404 names nothing of the request.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from infra.metrics import SERVED_PATHS  # the worker's port answers the same paths


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    registry: CollectorRegistry
    health: dict[str, Any]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        path = self._path()
        if path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, generate_latest(self.server.registry), body)
        elif path == "/health":
            self._send(200, "application/json", orjson.dumps(self.server.health), body)
        else:
            self._send(404, "text/plain; charset=utf-8", b"404: Not Found", body)

    def _path(self) -> str:
        """The path exactly as the worker's port matches it: `/metrics/` or `/metrics/.` is
        not `/metrics` (the worker answers those 404 too), only the query is dropped."""
        return self.path.split("?", 1)[0]

    def _refuse(self) -> None:
        # 405 only where a GET would answer; any other path is 404 whatever the method
        if self._path() in SERVED_PATHS:
            self._send(405, "text/plain; charset=utf-8", b"405: Method Not Allowed", True)
        else:
            self._send(404, "text/plain; charset=utf-8", b"404: Not Found", True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _send(self, status: int, content_type: str, payload: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        return None  # a scrape every 15 s is not worth a log line


def start_web_server(
    port: int, addr: str, registry: CollectorRegistry, health: dict[str, Any]
) -> ThreadingHTTPServer:
    """Serve in a daemon thread (the process's exit ends it); returns the server."""
    server = _Server((addr, port), _Handler)
    server.registry = registry
    server.health = health
    threading.Thread(target=server.serve_forever, name="notifier-web", daemon=True).start()
    return server
