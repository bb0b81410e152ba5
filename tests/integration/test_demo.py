"""`dinarwatch demo` (what `make demo` runs) end to end on the real broker.

It must show decisions and alerts and leave a worker that is alive and answering; and when
the worker dies mid-view it must say "worker stopped", show the worker's last log lines and
exit 1, never "running". Each run has its own topics, app id, web port and state folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import demo
from tests.integration.demo_support import DINARWATCH, demo_environment, run_demo, stop_demo_run
from tests.waits import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def demo_env(kafka_bootstrap: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = demo_environment(kafka_bootstrap, tmp_path, "demo")
    yield env
    stop_demo_run(env)  # whatever worker the demo left


def worker_pid(env: dict[str, str]) -> int:
    return int((Path(env["DINARWATCH_DEMO_DIR"]) / "worker.pid").read_text())


def test_demo_shows_decisions_and_alerts_and_leaves_the_worker_alive(
    demo_env: dict[str, str],
) -> None:
    out = run_demo(demo_env)
    assert "worker ready" in out
    assert "decisions" in out and "pass" in out and "block" in out
    assert "alerts by rule" in out
    assert "(critical)" in out or "(medium)" in out or "(high)" in out, out
    assert "is alive and answering" in out
    assert "worker stopped" not in out

    pid = worker_pid(demo_env)
    assert demo._is_demo_worker(pid)
    url = f"http://127.0.0.1:{demo_env['DINARWATCH_WEB_PORT']}/health"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200

    stop_demo_run(demo_env)
    assert not demo._is_demo_worker(pid)
    assert not (Path(demo_env["DINARWATCH_DEMO_DIR"]) / "worker.pid").exists()


def test_demo_reports_a_worker_that_dies_mid_view(demo_env: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "demo.out"
    with output.open("wb") as out:
        proc = subprocess.Popen(
            [str(DINARWATCH), "demo", "--duration", "120", "--rate", "20"],
            env=demo_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: b"4/4" in output.read_bytes() or proc.poll() is not None,
            300,
            "the demo to start generating",
        )
        assert proc.poll() is None, output.read_text()
        pid = worker_pid(demo_env)
        os.kill(pid, signal.SIGKILL)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    text = output.read_text()
    assert code == demo.EXIT_WORKER == 1, text
    assert f"worker stopped (pid {pid}, killed by signal 9)" in text
    assert "lines of" in text and "worker.log" in text
    assert "alive and answering" not in text and "still running" not in text
