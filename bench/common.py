"""Shared bench plumbing: a broker to run against, and figure printing."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from tests.kafka_broker import broker_answers

REPO = Path(__file__).resolve().parents[1]
BENCH_PORT = int(os.environ.get("DINARWATCH_BENCH_KAFKA_PORT", "29092"))


def ensure_broker() -> tuple[str, bool]:
    """A broker for benchmarks: DINARWATCH_KAFKA_BOOTSTRAP if it answers, else a private one."""
    configured = os.environ.get("DINARWATCH_KAFKA_BOOTSTRAP")
    if configured and broker_answers(configured):
        return configured, False
    env = {
        **os.environ,
        "KAFKA_PORT": str(BENCH_PORT),
        "KAFKA_HOME_DIR": str(REPO / ".kafka-local" / f"bench-{BENCH_PORT}"),
    }
    subprocess.run(
        ["bash", str(REPO / "deploy/kafka/kafka-local.sh"), "start", "--fresh"], check=True, env=env
    )
    return f"127.0.0.1:{BENCH_PORT}", True


def stop_broker() -> None:
    env = {
        **os.environ,
        "KAFKA_PORT": str(BENCH_PORT),
        "KAFKA_HOME_DIR": str(REPO / ".kafka-local" / f"bench-{BENCH_PORT}"),
    }
    subprocess.run(
        ["bash", str(REPO / "deploy/kafka/kafka-local.sh"), "stop"], check=False, env=env
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def figure(name: str, value: float, unit: str, target: str = "") -> None:
    suffix = f"   (target {target})" if target else ""
    print(f"{name:<48} {value:>12,.1f} {unit}{suffix}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]
