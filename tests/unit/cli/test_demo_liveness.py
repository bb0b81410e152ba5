"""The demo's watch over its worker, with real processes that live, hang and die.

`make demo` once printed "still running" for a worker that had crashed at start. These tests
run the demo's own start/wait/check code (cli/demo.py) against real child processes: a
stand-in worker (a Python script) that exits, or never becomes ready, or lives on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import demo
from cli.demo import WorkerNotReady, WorkerProcess, WorkerStopped
from tests.waits import wait_until

CRASHING = """
import sys, time
for i in range(30):
    print(f"line {i}", flush=True)
print("\\x1b[31mfaust.exceptions.ConsistencyError: persisted offset is higher\\x1b[0m", flush=True)
time.sleep({delay})
sys.exit(3)
"""


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    """Every worker a test starts is killed afterwards, whatever happened."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        if worker.alive():
            worker.proc.kill()
        worker.proc.wait(timeout=10)


def start(command: list[str], state: Path, workers: list[WorkerProcess]) -> WorkerProcess:
    worker = demo.start_worker(command, dict(os.environ), state)
    workers.append(worker)
    return worker


def never_ready() -> str:
    return "the worker's consumer group is not formed"


def test_a_worker_that_dies_at_start_is_reported_with_its_log(
    tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    worker = start(python(CRASHING.replace("{delay}", "0")), tmp_path, workers)
    with pytest.raises(WorkerStopped) as caught:
        demo.wait_until_ready(worker, never_ready, timeout=120)
    stopped = caught.value
    assert stopped.returncode == 3
    assert stopped.code == demo.EXIT_WORKER != 0
    assert stopped.lines[0] == f"worker stopped (pid {worker.pid}, exit 3)"
    assert len(stopped.tail) == demo.LOG_TAIL_LINES
    assert stopped.tail[-1] == "faust.exceptions.ConsistencyError: persisted offset is higher"
    assert stopped.tail[0] == "line 11"  # the last 20 lines: 11..29 and the error
    assert not any("\x1b" in line for line in stopped.lines)


def test_a_worker_that_dies_while_the_probe_waits_is_not_called_unready(
    tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    """It answers nothing for a while, then crashes: the result is "stopped" (with its exit
    status), not a timeout, and it comes before the deadline."""
    worker = start(python(CRASHING.replace("{delay}", "1.5")), tmp_path, workers)
    probes: list[str] = []

    def probe() -> str:
        probes.append("asked")
        return never_ready()

    with pytest.raises(WorkerStopped) as caught:
        demo.wait_until_ready(worker, probe, timeout=300, interval=0.1)
    assert caught.value.returncode == 3
    assert len(probes) > 1  # it was polled while alive, then seen dead
    assert not worker.alive()


def test_a_worker_killed_by_a_signal_says_so(tmp_path: Path, workers: list[WorkerProcess]) -> None:
    worker = start(
        python("import time; print('up', flush=True); time.sleep(600)"), tmp_path, workers
    )
    wait_until(lambda: worker.log_tail() == ["up"], 30, "the stand-in worker's first line")
    worker.check()  # alive: no exception
    os.kill(worker.pid, signal.SIGKILL)
    worker.proc.wait(timeout=10)
    with pytest.raises(WorkerStopped) as caught:
        worker.check()
    assert "killed by signal 9" in caught.value.lines[0]
    assert caught.value.tail == ["up"]


def test_a_live_worker_that_never_gets_ready_times_out_with_the_reason(
    tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    worker = start(
        python("import time; print('loading', flush=True); time.sleep(600)"), tmp_path, workers
    )
    wait_until(lambda: worker.log_tail() == ["loading"], 30, "the stand-in worker's first line")
    with pytest.raises(WorkerNotReady) as caught:
        demo.wait_until_ready(worker, never_ready, timeout=0.5, interval=0.1)
    assert caught.value.waiting_for == never_ready()
    assert caught.value.code == demo.EXIT_WORKER
    assert "not ready after" in caught.value.lines[0]
    assert worker.alive()


def test_a_ready_worker_passes_and_stays_alive(
    tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    worker = start(python("import time; time.sleep(600)"), tmp_path, workers)
    answers = iter(["starting", "the worker's consumer group is PreparingRebalance", None])
    demo.wait_until_ready(worker, lambda: next(answers), timeout=60, interval=0.05)
    assert worker.alive()
    assert (tmp_path / "worker.pid").read_text() == str(worker.pid)


def test_each_run_has_its_own_log(tmp_path: Path, workers: list[WorkerProcess]) -> None:
    first = start(python("print('first run')"), tmp_path, workers)
    first.proc.wait(timeout=30)
    second = start(python("print('second run')"), tmp_path, workers)
    second.proc.wait(timeout=30)
    assert second.log_tail() == ["second run"]
    assert (tmp_path / "worker.log.1").read_text() == "first run\n"


def test_stop_demo_stops_the_worker_and_spares_a_recycled_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: list[WorkerProcess]
) -> None:
    monkeypatch.setenv("DINARWATCH_DEMO_DIR", str(tmp_path))
    # a stand-in whose command line looks like the worker's: `<python> .../dinarwatch worker`
    fake = tmp_path / "bin" / "dinarwatch"
    fake.parent.mkdir()
    fake.write_text("import time\ntime.sleep(600)\n")
    worker = start([sys.executable, str(fake), "worker"], tmp_path, workers)
    wait_until(lambda: demo._is_demo_worker(worker.pid), 30, "the stand-in worker to start")
    demo.stop_demo()
    assert worker.proc.wait(timeout=30) == -signal.SIGTERM
    assert not (tmp_path / "worker.pid").exists()

    # a pid file naming some other process (the pid was reused): left alone
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (tmp_path / "worker.pid").write_text(str(other.pid))
        demo.stop_demo()
        assert other.poll() is None
        assert not (tmp_path / "worker.pid").exists()
    finally:
        other.kill()
        other.wait(timeout=10)


def test_demo_error_exits_with_its_code_and_prints_the_tail(
    tmp_path: Path,
    workers: list[WorkerProcess],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """run_demo's error path: the message and the tail on the terminal, the exit code out."""
    worker = start(python(CRASHING.replace("{delay}", "0")), tmp_path, workers)
    worker.proc.wait(timeout=30)

    def failing_run(*args: object, **kwargs: object) -> None:
        worker.check()

    monkeypatch.setattr(demo, "_run", failing_run)  # the steps that need a broker
    with pytest.raises(SystemExit) as exited:
        demo.run_demo(None, duration=1, rate=1.0)  # type: ignore[arg-type]
    assert exited.value.code == demo.EXIT_WORKER
    out = capsys.readouterr().out
    assert "worker stopped" in out
    assert "ConsistencyError" in out
    assert "still running" not in out and "alive and answering" not in out
