"""Helpers for pipeline tests on the real broker: a worker process, topic readers, scrapers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from infra.settings import Settings
from tests import ports
from tests.waits import wait_until

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port reserved from the OS (tests/ports.py): never computed from another port."""
    return ports.free_port()


def pipeline_settings(bootstrap: str, prefix: str, tmp: Path, **extra: object) -> Settings:
    return Settings(
        kafka_bootstrap=bootstrap,
        topic_prefix=prefix,
        app_id=f"{prefix}dinarwatch",
        web_port=free_port(),
        data_dir=tmp / "worker-data",
        **extra,  # type: ignore[arg-type]
    )


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DINARWATCH_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        if isinstance(value, (str, int, float, bool, Path)):
            env[f"DINARWATCH_{name.upper()}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    return env


@dataclass
class WorkerProcess:
    """A real `dinarwatch worker` subprocess, its log kept in a file for post-mortems."""

    settings: Settings
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    drop_env: tuple[str, ...] = ()  # variables to leave unset, so the code's default applies

    def start(self, timeout: float = 60) -> WorkerProcess:
        exe = Path(sys.executable).with_name("dinarwatch")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(exe), "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                k: v
                for k, v in {**settings_env(self.settings), **self.extra_env}.items()
                if k not in self.drop_env
            },
            start_new_session=True,
        )
        self.wait_healthy(timeout)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"worker exited early ({self.proc.returncode}); log:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"worker not healthy after {timeout}s; log:\n{self.log_tail()}")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as response:
            return response.read().decode()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        os.killpg(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def read_topic(bootstrap: str, topic: str, done: Callable[[list], bool], timeout: float) -> list:
    """Read a topic from the beginning until done(records) or the timeout; return records."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    deadline = time.monotonic() + timeout
    while not consumer.partitions_for_topic(topic):
        if time.monotonic() > deadline:
            consumer.close()
            return []
        time.sleep(0.2)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    records: list = []
    while time.monotonic() < deadline and not done(records):
        batch = consumer.poll(timeout_ms=500, max_records=5000)
        for items in batch.values():
            records.extend(items)
    consumer.close()
    return records


def metric_value(text: str, name: str, labels: dict[str, str] | None = None) -> float:
    """Sum of the samples of `name` whose labels include `labels` (Prometheus text format)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if labels and not all(f'{k}="{v}"' in line for k, v in labels.items()):
            continue
        total += float(line.rsplit(" ", 1)[1])
    return total


def distinct(values: Iterable[bytes | None]) -> set[bytes | None]:
    return set(values)


def group_committed_to_end(bootstrap: str, group: str, topics: Iterable[str]) -> bool:
    """True when `group` has committed every partition of `topics` up to its end offset: all
    that was published there is processed and its outputs flushed (Faust flushes before it
    commits), so no further output can come from it."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="dinarwatch-tests")
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        tps = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(tps)
        committed = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        consumer.close()
        admin.close()
    done = {tp: meta.offset for tp, meta in committed.items()}
    return all(done.get(tp, 0) >= end for tp, end in ends.items())


def wait_caught_up(settings: Settings, timeout: float = 120) -> None:
    """Wait until the worker group (app id) has committed payments.raw and payments.valid to
    their ends: the polling replacement for "sleep, then hope nothing else arrives"."""
    from infra import topics as names

    topics = [settings.topic(names.RAW), settings.topic(names.VALID)]
    wait_until(
        lambda: group_committed_to_end(settings.kafka_bootstrap, settings.app_id, topics),
        timeout,
        f"group {settings.app_id} to commit {topics} to their end",
        interval=0.5,
    )


def read_to_end(bootstrap: str, topic: str, timeout: float = 60) -> list:
    """Every record of `topic` up to its end offsets at the time of the call (no waiting for
    records that may or may not come: call it once the producer of `topic` is done)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list = []

        def complete() -> bool:
            batch = consumer.poll(timeout_ms=200, max_records=5000)
            for items in batch.values():
                records.extend(items)
            return all(consumer.position(tp) >= end for tp, end in ends.items())

        wait_until(complete, timeout, f"{topic} read to its end offsets {ends}", interval=0)
        return records
    finally:
        consumer.close()


def group_is_empty(bootstrap: str, group: str) -> bool:
    """True when `group` has no members (a stopped worker has left it)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="dinarwatch-tests")
    try:
        info = admin.describe_groups([group]).get(group, {})
    finally:
        admin.close()
    return not info.get("members")
