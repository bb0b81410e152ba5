"""The demo's background processes (its worker and its desk): started, recognised, stopped.

`make demo` leaves a worker and a desk running after the command returns and `make stop` ends
them from another process, so each is started in its own session with its output in a log and
its pid in a file, and is stopped from that pid. A pid read back from a file may have been
recycled since: a process is only signalled while its command line is still the dinarwatch
command it was started as.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def spawn(
    command: Sequence[str], env: dict[str, str], log: Path, pid_file: Path
) -> subprocess.Popen[bytes]:
    """Start `command` in its own session (a Ctrl-C in the terminal does not reach it), its
    output written to `log` (emptied first) and its pid to `pid_file`."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    pid_file.write_text(str(proc.pid))
    return proc


def runs_dinarwatch(pid: int, subcommand: bytes) -> bool:
    """True if `pid` is a running `dinarwatch <subcommand>` (a recycled pid is left alone)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(part.endswith(b"dinarwatch") for part in cmdline) and subcommand in cmdline


def gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie awaiting its parent counts as exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def stop(pid: int, timeout: float, running: Callable[[int], bool]) -> None:
    """SIGTERM (a worker drains and commits, the desk closes its database), then SIGKILL if
    `running(pid)` still holds after `timeout` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while running(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.1)
