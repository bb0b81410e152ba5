"""A real desk on 127.0.0.1 (uvicorn in a thread, SQLite, the fixed data of pages_seed with a
fixed clock, so pages and screenshots are the same every run) and Debian's Chromium driven by
Playwright. Playwright's own browser download is not used: `executable_path` points at the
system binary. Without /usr/bin/chromium every test here skips, saying so."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from desk.api import create_app
from desk.db.engine import open_database
from tests.ports import free_port
from tests.unit.desk.pages_seed import NOW, seed
from tests.unit.desk.test_api import RecordingPublisher

CHROMIUM = os.environ.get("DINARWATCH_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1366, "height": 900}


def chromium_or_skip() -> str:
    found = shutil.which(CHROMIUM) if not Path(CHROMIUM).is_file() else CHROMIUM
    if not found:
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(bash deploy/install-system-deps.sh desk) to run the browser tests"
        )
    return found


@pytest.fixture
def desk_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_HEADER", raising=False)
    monkeypatch.delenv("DINARWATCH_DESK_TRUSTED_PROXIES", raising=False)
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    seed(sessions)
    app = create_app(sessions, RecordingPublisher(), clock=lambda: NOW)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the desk did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI and these machines run the tests as root, where Chromium's sandbox
        # refuses to start
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--font-render-hinting=none"]
        )
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: DINARWATCH_DESK_SCREENSHOTS (e.g. docs/screenshots, to refresh
    the committed ones), else the test's temporary folder."""
    target = os.environ.get("DINARWATCH_DESK_SCREENSHOTS")
    folder = Path(target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
