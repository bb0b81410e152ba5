"""What the demo tests share: an isolated environment for one `dinarwatch demo` run (own topics,
app id, ports and state folder) and the stop that `make stop` runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.pipeline import free_port
from tests.kafka_broker import unique_topic_prefix

DINARWATCH = Path(sys.executable).with_name("dinarwatch")
STOP = [sys.executable, "-c", "from cli.demo import stop_demo; stop_demo()"]


def demo_environment(kafka_bootstrap: str, folder: Path, name: str) -> dict[str, str]:
    """This process's environment without DINARWATCH_/KAFKA_ settings, plus one run's own."""
    prefix = unique_topic_prefix(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DINARWATCH_", "KAFKA_"))}
    env.update(
        DINARWATCH_KAFKA_BOOTSTRAP=kafka_bootstrap,
        DINARWATCH_TOPIC_PREFIX=prefix,
        DINARWATCH_APP_ID=f"{prefix}dinarwatch",
        DINARWATCH_WEB_PORT=str(free_port()),
        DINARWATCH_DESK_PORT=str(free_port()),
        DINARWATCH_DEMO_DIR=str(folder / "demo"),
    )
    return env


def run_demo(env: dict[str, str]) -> str:
    """Run `dinarwatch demo` for 8 s at 50 payments/s in `env`; its output, once it succeeded."""
    done = subprocess.run(
        [str(DINARWATCH), "demo", "--duration", "8", "--rate", "50"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    return out


def stop_demo_run(env: dict[str, str]) -> None:
    """Stop whatever the run left (worker, desk), as `make stop` would."""
    subprocess.run(STOP, env=env, check=True, timeout=90)
