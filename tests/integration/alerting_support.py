"""Helpers for the alerting integration tests: real Prometheus, Alertmanager, notifier and
worker processes, plus the two things we may fake: a webhook receiver (http.server in a
thread, standing in for Slack/Teams) and an SMTP server (aiosmtpd).

Run as a module (`python -m tests.integration.alerting_support worker`) it is a worker with the
two lines the lead adds to streams/app.py already applied (lag monitor, list versions), so the
dashboards' queries can be checked against everything a wired worker exports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.integration.pipeline import REPO, WorkerProcess, free_port, settings_env
from tests.waits import poll

RULES = REPO / "deploy" / "prometheus" / "rules" / "dinarwatch.yml"
AM_CONFIG = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
DOCUMENTED_PATHS = frozenset({"/metrics", "/health"})
"""What the worker's and the notifier's ports may answer (docs/security.md)."""


# -- fakes: webhook receiver and SMTP server ---------------------------------------------------


class HttpReceiver:
    """Collects JSON POSTs per path; can be stopped and restarted on the same port (an outage)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.posts: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self, path: str) -> list[Any]:
        with self._lock:
            return [body for p, body in self.posts if p == path]


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)
    controller: Any = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def alert_ids(self) -> list[str]:
        ids: list[str] = []
        for message in list(self.messages):
            ids.extend(str(message["X-Dinarwatch-Alert-Ids"] or "").split())
        return ids


# -- real processes ------------------------------------------------------------------------------


@dataclass
class Service:
    """A subprocess with a readiness URL and a log file."""

    cmd: list[str]
    ready_url: str
    log_path: Path
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Service:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=str(REPO)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[0]} exited early; log:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"{self.cmd[0]} not ready; log:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def fast_rules(tmp: Path) -> Path:
    """The real rule file with every `for:` removed, so rules fire within a test's seconds."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            rule.pop("for", None)
    path = tmp / "rules.yml"
    path.write_text(yaml.safe_dump(doc))
    return path


def alertmanager_config(webhook_url: str, smtp_port: int | None) -> dict[str, Any]:
    """The shipped deploy/alertmanager/alertmanager.yml with only what a test must change:
    every webhook points at `webhook_url`, e-mail goes to a local SMTP server without TLS or
    login (or nowhere, without `smtp_port`), and every wait is one second. The routing tree,
    grouping and receivers' limits are the shipped ones."""
    doc: dict[str, Any] = yaml.safe_load(AM_CONFIG.read_text())
    glob = doc["global"]
    for key in ("smtp_auth_username", "smtp_auth_password_file"):
        glob.pop(key, None)
    glob["smtp_smarthost"] = f"127.0.0.1:{smtp_port or 25}"
    glob["smtp_require_tls"] = False
    routes = [doc["route"], *doc["route"].get("routes", [])]
    for route in routes:
        for key in ("group_wait", "group_interval"):
            if key in route or route is doc["route"]:
                route[key] = "1s"
    for receiver in doc["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = webhook_url
        if smtp_port is None:
            receiver.pop("email_configs", None)
    return doc


def start_alertmanager(
    tmp: Path, webhook_url: str, smtp_port: int | None = None
) -> tuple[Service, str]:
    """The real Alertmanager with the shipped config (see alertmanager_config)."""
    port = free_port()
    (tmp / "am").mkdir(exist_ok=True)
    path = tmp / "am" / "alertmanager.yml"
    path.write_text(yaml.safe_dump(alertmanager_config(webhook_url, smtp_port)))
    check = subprocess.run(
        ["amtool", "check-config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stdout + check.stderr
    url = f"http://127.0.0.1:{port}"
    cmd = [
        "prometheus-alertmanager",
        f"--config.file={path}",
        f"--storage.path={tmp / 'am' / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    return Service(cmd, f"{url}/-/ready", tmp / "alertmanager.log").start(), url


def start_prometheus(
    tmp: Path, worker_port: int, notifier_port: int, am_url: str
) -> tuple[Service, str]:
    """Prometheus scraping the worker and notifier every second, evaluating the real rules."""
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(fast_rules(tmp))],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [am_url.split("//", 1)[1]]}]}]
        },
        "scrape_configs": [
            _job("dinarwatch-worker", worker_port),
            _job("dinarwatch-notifier", notifier_port),
        ],
    }
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    url = f"http://127.0.0.1:{port}"
    cmd = [
        "prometheus",
        f"--config.file={path}",
        f"--storage.tsdb.path={tmp / 'prom-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    return Service(cmd, f"{url}/-/ready", tmp / "prometheus.log").start(), url


def _job(name: str, port: int) -> dict[str, Any]:
    return {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}


def start_notifier(settings: Any, tmp: Path, **notify: str) -> tuple[Service, int]:
    """`dinarwatch notifier` (the real command) with DINARWATCH_NOTIFY_* from `notify`."""
    port = free_port()
    env = settings_env(settings)
    env.update({f"DINARWATCH_NOTIFY_{k.upper()}": v for k, v in notify.items()})
    env["DINARWATCH_NOTIFY_WEB_PORT"] = str(port)
    exe = str(Path(sys.executable).with_name("dinarwatch"))
    url = f"http://127.0.0.1:{port}/metrics"
    service = Service([exe, "notifier"], url, tmp / "notifier.log", env=env).start()
    return service, port


class WiredWorker(WorkerProcess):
    """A worker started through this module (lag monitor and list versions wired)."""

    def start(self, timeout: float = 60) -> WiredWorker:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.alerting_support", "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**settings_env(self.settings), **self.extra_env},
            cwd=str(REPO),
            start_new_session=True,
        )
        self.wait_healthy(timeout)
        return self


# -- web ports: only the documented paths answer ------------------------------------------------


def worker_routes(settings: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route the worker's Faust app registers, read from the
    app's own aiohttp router (an app built in this process exactly as the worker builds it),
    plus every route of every built-in Faust page (a Faust app with all of them switched on),
    so a page the worker turned off is probed too."""
    import faust

    from screening.context_loader import context_from_settings
    from streams.app import create_app
    from streams.runtime import WorkerRuntime

    app = create_app(settings, WorkerRuntime(context_from_settings(settings)))
    everything = faust.App(
        "route-census",
        broker=f"kafka://{settings.kafka_bootstrap}",
        autodiscover=False,
        debug=True,
        web_metrics_enabled=True,
    )
    routes: list[tuple[str, str]] = []
    for faust_app in (app, everything):
        faust_app.web.init_server()
        web: Any = faust_app.web  # the aiohttp driver's Web (has web_app)
        for route in web.web_app.router.routes():
            info = route.resource.get_info() if route.resource is not None else {}
            path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
            if (route.method, path) not in routes:
                routes.append((route.method, path))
    assert any(p == "/metrics" for _, p in routes) and any(
        p.startswith("/table") for _, p in routes
    )
    return routes


def probe_paths(
    routes: list[tuple[str, str]], table: str, keys: list[str]
) -> list[tuple[str, str]]:
    """Concrete requests from route templates (`{name}` a table, `{key}` each key), plus
    probes of paths nobody registered."""
    out: list[tuple[str, str]] = []
    for method, template in routes:
        for key in keys:
            path = template.replace("{name}", table).replace("{key}", urllib.parse.quote(key))
            if (method, path) not in out:
                out.append((method, path))
    for key in keys:
        quoted = urllib.parse.quote(key)
        out += [
            ("GET", f"/table/{table}/{quoted}/"),
            ("GET", f"/router/{table}/{quoted}/"),
            ("GET", f"/{quoted}"),
        ]
    out += [
        ("GET", "/"),
        ("GET", "/metrics/extra"),
        ("GET", "/healthz"),
        ("GET", "/METRICS"),
        ("GET", "/table/"),
        ("GET", "/router/"),
        ("GET", "/stats/"),
        ("GET", "/assignment/"),
        ("GET", "/performance/"),
        ("POST", "/metrics"),
        ("DELETE", "/health"),
    ]
    return out


def port_leaks(base: str, requests: list[tuple[str, str]], secrets: list[str]) -> list[str]:
    """What is wrong with the port at `base`: a documented path not answering 200, any other
    request answering 200 (or anything but an error), or an error body that carries one of
    `secrets` (keys, accounts, payment ids)."""
    problems = []
    for path in sorted(DOCUMENTED_PATHS):
        status, _ = http_request(base + path, "GET")
        if status != 200:
            problems.append(f"GET {path}: {status}, expected 200")
    for method, path in requests:
        if path.rstrip("/") in DOCUMENTED_PATHS and method in ("GET", "HEAD"):
            continue
        status, body = http_request(base + path, method)
        text = body.decode("utf-8", "replace")
        if status < 400:
            problems.append(f"{method} {path}: answered {status}")
        leaked = [s for s in secrets if s in text or urllib.parse.quote(s) in text]
        if leaked:
            problems.append(f"{method} {path}: {status} body carries {leaked[:3]}")
    return problems


def http_request(url: str, method: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- Prometheus / Alertmanager API -------------------------------------------------------------


def prom_api(base: str, path: str, **params: str) -> Any:
    """GET a Prometheus API path; returns `data`, raises with Prometheus's error text."""
    query = urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(f"{base}{path}?{query}", timeout=10) as response:
            doc = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{path} {params}: {exc.read().decode()[:500]}") from exc
    assert doc["status"] == "success", doc
    return doc["data"]


def wait_for(check: Any, timeout: float, interval: float = 0.5) -> Any:
    """Poll `check()` until it returns something truthy; return it (or the last falsy value)."""
    return poll(check, timeout, interval)


def _run_worker() -> None:
    import faust

    from infra.logs import configure_logging
    from infra.settings import get_settings
    from screening.context_loader import context_from_settings
    from streams.app import create_app
    from streams.lag import register_lag_monitor
    from streams.runtime import WorkerRuntime

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    runtime = WorkerRuntime(context_from_settings(settings))
    app = create_app(settings, runtime)
    register_lag_monitor(app, settings, runtime.metrics, interval=1.0)
    runtime.metrics.record_list_versions(runtime.context.lists.versions())
    faust.Worker(
        app, loglevel=settings.log_level, quiet=True, redirect_stdouts=False
    ).execute_from_commandline()


if __name__ == "__main__" and sys.argv[1:] == ["worker"]:
    _run_worker()
