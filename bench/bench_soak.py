"""Soak: one worker under a steady feed for ten minutes; memory must stay flat, lag must not grow.

A feeder thread publishes generated payments (event times following the wall clock) at a fixed
rate into payments.raw; every `--sample` seconds the bench records the worker's resident memory
(/proc), the consumer group's lag on payments.raw and payments.valid (end offsets minus the
group's committed offsets), and the decisions written so far. Printed at the end:
- RSS at the start and end of the steady phase and its least-squares slope (MiB per minute);
- lag: mean of the first and of the last quarter of samples, and the maximum;
- decisions: every payment fed has one (checked by count of distinct payment ids).
Run: python -m bench.bench_soak [--minutes 10] [--rate 500] [--write-doc]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from bench.bench_worker import (
    Report,
    bench_settings,
    commit,
    feed,
    proc_peak_rss_mib,
    proc_rss_mib,
    wait_for_records,
    write_doc,
)
from bench.common import ensure_broker, machine, stop_broker
from generator.traffic import TrafficSpec
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from tests.integration.pipeline import WorkerProcess, read_topic

MARKS = ("<!-- bench_soak:start -->", "<!-- bench_soak:end -->")


@dataclass
class Sample:
    elapsed: float
    rss_mib: float
    lag: int
    decisions: int
    store_mib: float = float("nan")  # RocksDB: memtables + block cache + table readers
    py_blocks_m: float = float("nan")  # Python allocator blocks, millions


def memory_gauges(metrics_text: str) -> tuple[float, float]:
    """(window store MiB, Python allocated blocks in millions) from the worker's /metrics."""
    samples = [
        sample
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
    ]
    store = sum(s.value for s in samples if s.name == "dinarwatch_window_store_bytes")
    blocks = sum(s.value for s in samples if s.name == "dinarwatch_python_allocated_blocks")
    return store / 2**20, blocks / 1e6


class LagProbe:
    """End offsets minus the worker group's committed offsets on its input topics."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        self.consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=None)
        self.inputs = [
            TopicPartition(settings.topic(topic), p)
            for topic in (names.RAW, names.VALID)
            for p in range(settings.topic_partitions)
        ]
        self.decisions = [
            TopicPartition(settings.topic(names.DECISIONS), p)
            for p in range(settings.topic_partitions)
        ]

    def lag(self) -> int:
        ends = self.consumer.end_offsets(self.inputs)
        group = names.faust_app_id(self.settings)  # the worker group, prefix included
        committed = self.admin.list_group_offsets({group: None}).get(group, {})
        return sum(
            max(ends[tp] - (committed[tp].offset if tp in committed else 0), 0)
            for tp in self.inputs
        )

    def decided(self) -> int:
        return int(sum(self.consumer.end_offsets(self.decisions).values()))

    def close(self) -> None:
        self.admin.close()
        self.consumer.close()


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value), per minute."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var * 60 if var else float("nan")


def soak(bootstrap: str, work: Path, minutes: float, rate: float, every: float) -> Report:
    settings = bench_settings(bootstrap, "soak", work)
    create_topics(settings)
    count = int(minutes * 60 * rate)
    worker = WorkerProcess(settings, work / "worker-soak.log").start(timeout=120)
    pid = worker.proc.pid  # type: ignore[union-attr]
    spec = TrafficSpec(
        count=count, seed=17, start=datetime.now(UTC), spacing=timedelta(seconds=1 / rate)
    )

    probe = LagProbe(settings)
    samples: list[Sample] = []
    feeder = threading.Thread(target=feed, args=(settings, spec, rate))
    started = time.monotonic()
    feeder.start()
    try:
        while feeder.is_alive():
            time.sleep(every)
            sample = Sample(
                time.monotonic() - started, proc_rss_mib(pid), probe.lag(), probe.decided()
            )
            sample.store_mib, sample.py_blocks_m = memory_gauges(worker.metrics())
            samples.append(sample)
            print(
                f"t={sample.elapsed:6.0f}s rss={sample.rss_mib:7.1f} MiB lag={sample.lag:7d} "
                f"decisions={sample.decisions:8d} rocksdb={sample.store_mib:6.1f} MiB "
                f"py_blocks={sample.py_blocks_m:6.2f}M",
                flush=True,
            )
        feeder.join()
        wait_for_records(bootstrap, settings.topic(names.DECISIONS), count, 600)
        peak = proc_peak_rss_mib(pid)
    finally:
        probe.close()
        worker.stop()
    decisions = read_topic(
        bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= count, 300
    )
    return summarise(samples, count, len({r.key for r in decisions}), peak, rate)


def summarise(samples: list[Sample], fed: int, decided: int, peak: float, rate: float) -> Report:
    report = Report()
    steady = [s for s in samples if s.elapsed >= 60] or samples  # first minute: warm-up
    quarter = max(len(steady) // 4, 1)
    report.add("fed at a steady rate", rate, "payments/s")
    report.add("payments fed", fed, "")
    report.add("payments with a decision", decided, "", f"= {fed:,}")
    report.add("RSS after warm-up (first steady sample)", steady[0].rss_mib, "MiB")
    report.add("RSS at the end", steady[-1].rss_mib, "MiB")
    report.add(
        "RSS slope over the steady phase",
        slope_per_minute([(s.elapsed, s.rss_mib) for s in steady]),
        "MiB/min",
        "flat (≈ 0)",
    )
    late = [s for s in steady if s.elapsed >= steady[-1].elapsed / 2]  # caches filled by then
    report.add(
        "RSS slope over the second half",
        slope_per_minute([(s.elapsed, s.rss_mib) for s in late]),
        "MiB/min",
        "flat (≈ 0)",
    )
    report.add("peak RSS", peak, "MiB", "≤ 400 MB (381 MiB)")
    report.add("window store (RocksDB) at the end", steady[-1].store_mib, "MiB")
    report.add(
        "window store slope",
        slope_per_minute([(s.elapsed, s.store_mib) for s in steady]),
        "MiB/min",
    )
    report.add(
        "Python allocator blocks slope",
        slope_per_minute([(s.elapsed, s.py_blocks_m * 1000) for s in steady]),
        "thousand blocks/min",
    )
    report.add("lag, mean of first quarter", sum(s.lag for s in steady[:quarter]) / quarter, "")
    report.add("lag, mean of last quarter", sum(s.lag for s in steady[-quarter:]) / quarter, "")
    report.add("lag, max", max(s.lag for s in steady), "records")
    report.add(
        "lag slope over the steady phase",
        slope_per_minute([(s.elapsed, float(s.lag)) for s in steady]),
        "records/min",
        "not growing (≈ 0)",
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    header = (
        f"bench_soak on {machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, "
        f"{args.minutes:g} min at {args.rate:,.0f} payments/s, full SDN + UN lists"
    )
    print(f"# {header}", flush=True)
    bootstrap, own = ensure_broker()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            report = soak(bootstrap, Path(tmp), args.minutes, args.rate, args.sample)
    finally:
        if own:
            stop_broker()
    if args.write_doc:
        write_doc(report.markdown(f"Measured: {header}."), MARKS)


if __name__ == "__main__":
    main()
