"""The desk in `make demo`: SQLite in the demo's folder, a demo user, ingest running.

`start_desk` makes a fresh database (`<demo dir>/desk.db`: a demo's cases are throwaway), adds
the user `demo` (supervisor) with a random password, and starts `dinarwatch desk serve
--ingest` in its own session (log `desk.log`, pid `desk.pid`), then waits until the API
answers. It runs with the worker after the view; `stop_desk` (called by `make stop` through
cli.demo.stop_demo, and when a demo fails) stops it. The port is DINARWATCH_DESK_PORT
(default 6070); the desk binds to 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cli.background import gone, runs_dinarwatch, spawn, stop

DEFAULT_PORT = 6070
READY_TIMEOUT = 60.0
USER = "demo"


class DeskNotStarted(Exception):
    """The desk could not be started; the message says why."""


@dataclass(frozen=True)
class DemoDesk:
    pid: int
    url: str
    user: str
    password: str
    log: Path


def desk_port() -> int:
    text = os.environ.get("DINARWATCH_DESK_PORT", "").strip()
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise DeskNotStarted(f"DINARWATCH_DESK_PORT={text!r} is not a port number")
    return int(text)


def _exe() -> str:
    return str(Path(sys.executable).with_name("dinarwatch"))


def _answers(url: str) -> bool:
    """True once the API answers at all (401 without a token is an answer)."""
    try:
        with urllib.request.urlopen(f"{url}/api/cases", timeout=2):  # noqa: S310 (http, ours)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def start_desk(env: dict[str, str], state: Path) -> DemoDesk:
    """Start the demo's desk with `env` (the worker's Kafka settings); see the module doc."""
    stop_desk(state)
    port = desk_port()
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise DeskNotStarted(
                f"port {port} (DINARWATCH_DESK_PORT, the desk) is not free: {exc.strerror}"
            ) from None
    database = state / "desk.db"
    for leftover in (database, state / "desk.db-wal", state / "desk.db-shm"):
        leftover.unlink(missing_ok=True)
    desk_env = {**env, "DINARWATCH_DESK_DB": f"sqlite:///{database}"}
    password = secrets.token_urlsafe(12)
    added = subprocess.run(
        [_exe(), "desk", "users", "add", USER, "--role", "supervisor"],
        input=password + "\n",
        env=desk_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if added.returncode != 0:
        raise DeskNotStarted(f"adding the demo user failed: {added.stderr.strip()[-500:]}")
    log = state / "desk.log"
    command = [_exe(), "desk", "serve", "--port", str(port), "--ingest"]
    proc = spawn(command, desk_env, log, state / "desk.pid")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    while not _answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_desk(state)
            tail = log.read_text("utf-8", "replace").splitlines()[-5:]
            raise DeskNotStarted(f"the desk did not start (log {log}): " + " | ".join(tail))
        time.sleep(0.3)
    return DemoDesk(proc.pid, url, USER, password, log)


def _is_desk(pid: int) -> bool:
    return runs_dinarwatch(pid, b"desk")


def stop_desk(state: Path, timeout: float = 30.0) -> None:
    """SIGTERM the demo's desk (SIGKILL after `timeout` seconds) and forget its pid."""
    pid_file = state / "desk.pid"
    if not pid_file.exists():
        return
    text = pid_file.read_text().strip()
    pid_file.unlink(missing_ok=True)
    if not text.isdigit() or not _is_desk(int(text)):
        return
    stop(int(text), timeout, running=lambda pid: _is_desk(pid) and not gone(pid))
