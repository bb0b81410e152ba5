"""Worker throughput and latency on the real broker, and the in-process cost of each stage.

Figures printed:
- ingest alone (decode + validate a raw JSON record), screening alone: µs per payment, 1 core;
- end-to-end throughput: N payments pre-loaded into payments.raw, one worker started, time from
  the first to the last decision written (payments/s);
- event -> decision latency at a steady rate: decision record timestamp minus raw record
  timestamp (both broker-side CreateTime), p50 and p99.
Run: python -m bench.bench_worker [--count N] [--rate R]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.common import ensure_broker, figure, machine, percentile, stop_broker
from rules.defaults import default_context
from rules.engine import screen_payment
from streams import topics as names
from streams.admin import create_topics
from streams.ingest import decode_payments
from streams.producer import make_producer, publish
from streams.synthetic.generator import TrafficSpec, generate
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def bench_in_process(count: int) -> None:
    records = list(generate(TrafficSpec(count=count, seed=3, start=START, violation_rate=0.05)))
    started = time.perf_counter()
    payments = [p for r in records for p in decode_payments(r.value, "application/json", 1_048_576)]  # type: ignore[union-attr]
    ingest = time.perf_counter() - started
    ctx = default_context()
    started = time.perf_counter()
    for payment in payments:
        screen_payment(payment, ctx, START)  # type: ignore[arg-type]
    screening = time.perf_counter() - started
    figure("ingest alone (parse + validate JSON)", ingest / count * 1e6, "µs/payment")
    figure("ingest alone throughput", count / ingest, "payments/s")
    figure("screening alone (built-in lists)", screening / count * 1e6, "µs/payment")


def bench_throughput(bootstrap: str, count: int, workdir: Path) -> None:
    settings = pipeline_settings(bootstrap, unique_topic_prefix("bench"), workdir)
    create_topics(settings)
    producer = make_producer(settings)
    publish(
        generate(TrafficSpec(count=count, seed=4, start=START)),
        producer,
        settings.topic(names.RAW),
        0,
    )
    producer.close()
    worker = WorkerProcess(settings, workdir / "worker-throughput.log").start()
    try:
        decisions = read_topic(
            bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= count, timeout=600
        )
    finally:
        worker.stop()
    stamps = sorted(r.timestamp for r in decisions)
    span = (stamps[-1] - stamps[0]) / 1000
    figure(
        f"end-to-end throughput, 1 worker, {len(decisions)} pre-loaded",
        len(decisions) / span,
        "payments/s",
    )


def bench_latency(bootstrap: str, count: int, rate: float, workdir: Path) -> None:
    settings = pipeline_settings(bootstrap, unique_topic_prefix("lat"), workdir)
    create_topics(settings)
    worker = WorkerProcess(settings, workdir / "worker-latency.log").start()
    # Warm up: the consumer group must have joined and been assigned before timing starts.
    warm = TrafficSpec(count=200, seed=8, start=datetime.now(UTC), id_prefix="WARM")
    producer = make_producer(settings)
    publish(generate(warm), producer, settings.topic(names.RAW), 0)
    producer.close()
    read_topic(bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 200, timeout=120)
    count += 200
    spec = TrafficSpec(count=count - 200, seed=6, start=datetime.now(UTC))

    def feed() -> None:
        producer = make_producer(settings)
        publish(generate(spec), producer, settings.topic(names.RAW), rate)
        producer.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        decisions = read_topic(
            bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len(rs) >= count,
            timeout=count / rate + 120,
        )
        raw = read_topic(
            bootstrap, settings.topic(names.RAW), lambda rs: len(rs) >= count, timeout=60
        )
    finally:
        feeder.join()
        worker.stop()
    # raw records are keyed by debtor; decisions by payment id
    sent = {orjson.loads(r.value)["payment_id"].encode(): r.timestamp for r in raw}
    latencies = [
        (r.timestamp - sent[r.key]) / 1000
        for r in decisions
        if r.key in sent and not r.key.startswith(b"WARM")
    ]
    print(f"# latency samples: {len(latencies)} (decisions {len(decisions)}, raw {len(raw)})")
    figure(f"event->decision latency p50 at {rate:.0f}/s", percentile(latencies, 0.5) * 1000, "ms")
    figure(f"event->decision latency p99 at {rate:.0f}/s", percentile(latencies, 0.99) * 1000, "ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--latency-count", type=int, default=5_000)
    args = parser.parse_args()
    print(f"# bench_worker on {machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    bench_in_process(min(args.count, 20_000))
    bootstrap, own = ensure_broker()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bench_throughput(bootstrap, args.count, Path(tmp))
            bench_latency(bootstrap, args.latency_count, args.rate, Path(tmp))
    finally:
        if own:
            stop_broker()
    figure(
        "bench process peak RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB"
    )


if __name__ == "__main__":
    main()
