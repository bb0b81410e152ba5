"""Shared bench plumbing: a broker to run against, and figure printing."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from infra import native
from tests.kafka_broker import broker_answers

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FILES = {
    "sdn.csv": SHARED / "ofac" / "sdn_2024-05-03" / "sdn.csv",
    "alt.csv": SHARED / "ofac" / "addalt_2025-12" / "alt.csv",
    "add.csv": SHARED / "ofac" / "addalt_2025-12" / "add.csv",
}
UN_XML = SHARED / "un" / "UN_consolidated.xml"
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
    core = f"core {native.describe()}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {core}"


def figure(name: str, value: float, unit: str, target: str = "") -> None:
    suffix = f"   (target {target})" if target else ""
    print(f"{name:<48} {value:>12,.1f} {unit}{suffix}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]


def ofac_dir(folder: Path) -> Path:
    """A DINARWATCH_OFAC_DIR of symlinks to the shared files (never copies)."""
    for name, source in FILES.items():
        if not source.exists():
            sys.exit(f"missing {source}: the shared reference data sits beside the repo")
        (folder / name).symlink_to(source)
    return folder
