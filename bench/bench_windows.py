"""Windowed rules: throughput with 1 and 2 workers on the real broker, and state size.

Figures printed:
- end-to-end throughput with every rule on (windowed included), one worker, then two workers
  sharing the partitions (ratio two/one): N payments pre-loaded, first to last decision;
- window state per 100k debtors: Python memory of 100k DebtorWindow objects (tracemalloc), their
  JSON size (what the changelog and RocksDB hold), and RocksDB's on-disk size after writing them;
- pure observe() cost per payment.
Run: python -m bench.bench_windows [--count N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import ensure_broker, figure, machine, stop_broker
from generator.publish import make_producer, publish
from generator.traffic import TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from lists.files import default_context
from rules.windows import DebtorWindow, observe
from tests.factories import make_payment
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def throughput(bootstrap: str, count: int, workers: int, workdir: Path) -> float:
    """Workers start and join the group first (warm-up records decided), then the timed feed
    is published as fast as possible; throughput counts the timed feed's decisions only."""
    settings = pipeline_settings(bootstrap, unique_topic_prefix(f"w{workers}"), workdir)
    create_topics(settings)
    procs = []
    for n in range(workers):
        own = settings.model_copy(
            update={"web_port": settings.web_port + n, "data_dir": workdir / f"data-{workers}-{n}"}
        )
        procs.append(WorkerProcess(own, workdir / f"worker-{workers}-{n}.log").start())
    try:
        warm = TrafficSpec(count=400, seed=9, start=START, id_prefix="WARM")
        producer = make_producer(settings)
        publish(generate(warm), producer, settings.topic(names.RAW), 0)
        read_topic(bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 400, 180)
        time.sleep(2)
        spec = TrafficSpec(count=count, seed=4, start=START, violation_rate=0.1)
        publish(generate(spec), producer, settings.topic(names.RAW), 0)
        producer.close()
        decisions = read_topic(
            bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= count + 400, 900
        )
    finally:
        for proc in procs:
            proc.stop()
    stamps = sorted(r.timestamp for r in decisions if not r.key.startswith(b"WARM"))
    rate = len(stamps) / ((stamps[-1] - stamps[0]) / 1000)
    figure(f"throughput, {workers} worker(s), {count} payments, all rules", rate, "payments/s")
    return rate


def windows_for(debtors: int) -> list[DebtorWindow]:
    pack = default_context().pack
    rng = random.Random(1)
    states = []
    for n in range(debtors):
        state = None
        for k in range(rng.randint(1, 3)):
            at = START + timedelta(hours=k)
            payment = make_payment(
                payment_id=f"P{n}-{k}",
                amount="9500.00",
                created_at=at.isoformat(),
                value_date=at.date().isoformat(),
                debtor={"name": "X", "account": f"IQ{n:021d}"},
            )
            state, _ = observe(state, payment, pack)
        assert state is not None
        states.append(state)
    return states


def state_size(debtors: int, workdir: Path) -> None:
    tracemalloc.start()
    states = windows_for(debtors)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figure(f"window state in memory per {debtors // 1000}k debtors", current / 2**20, "MiB")
    blobs = [s.model_dump_json().encode() for s in states]
    figure(
        f"window state as JSON per {debtors // 1000}k debtors", sum(map(len, blobs)) / 2**20, "MiB"
    )
    from rocksdict import Rdict

    path = workdir / "rocks"
    db = Rdict(str(path))
    for n, blob in enumerate(blobs):
        db[f"IQ{n:021d}".encode()] = blob
    db.close()
    disk = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    figure(f"window state in RocksDB per {debtors // 1000}k debtors", disk / 2**20, "MiB on disk")


def observe_cost(count: int) -> None:
    pack = default_context().pack
    payments = [
        make_payment(
            payment_id=f"Q{i}",
            amount="9500.00",
            created_at=(START + timedelta(minutes=i)).isoformat(),
            debtor={"name": "X", "account": f"IQ{i % 1000:021d}"},
        )
        for i in range(count)
    ]
    states: dict[str, DebtorWindow | None] = {}
    started = time.perf_counter()
    for p in payments:
        key = p.debtor.account or ""
        states[key], _ = observe(states.get(key), p, pack)
    figure(
        "observe() per relevant payment (pure)", (time.perf_counter() - started) / count * 1e6, "µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--debtors", type=int, default=100_000)
    args = parser.parse_args()
    print(f"# bench_windows on {machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    observe_cost(20_000)
    with tempfile.TemporaryDirectory() as tmp:
        state_size(args.debtors, Path(tmp))
        bootstrap, own = ensure_broker()
        try:
            one = throughput(bootstrap, args.count, 1, Path(tmp))
            two = throughput(bootstrap, args.count, 2, Path(tmp))
            figure("ratio two workers / one", two / one, "x", "≥ 1.6")
        finally:
            if own:
                stop_broker()


if __name__ == "__main__":
    main()
