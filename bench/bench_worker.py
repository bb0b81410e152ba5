"""Worker throughput, latency, CPU and memory on the real broker, against a bare-loop baseline.

All runs use the same generated traffic (realistic violation rates) and the full OFAC SDN and UN
lists (`--lists builtin`: the built-in lists only, so that screening costs little and the figures
show the per-event machinery around it). The header gives the load average at the start, the
last line at the end. Figures printed, each beside its issue #8 target:
- bare loop: aiokafka consume -> decode_payments (parse + validate) -> produce, no Faust, no rules:
  the ceiling Python + Kafka reach on this machine in this run; the worker's ratio to it is the
  honest figure on a noisy machine;
- worker throughput: one worker started on fresh topics and, once it holds its partitions, N
  payments (generated beforehand) sent to payments.raw at once; first to last decision (broker
  CreateTime), with the worker process's CPU seconds per payment and peak RSS, and how many
  of the machine's cores the worker and everything else (broker, bench) used over the run;
- two workers the same way on 2N payments, sent once both hold partitions (no start or
  rebalance inside the timed span), the speed-up over one;
- event -> decision latency at a steady rate: decision CreateTime minus raw CreateTime;
- with --in-process N: the worker's own per-record work without Kafka or Faust, CPU µs per
  payment: the streams.pipeline.Pipeline (decode, screen, encode, metrics, logs) on a sink that
  drops records, beside decode + screening.service.screen_one alone, each run on generated
  records of its own (so that every name is new to the memos, as in a worker) with the same
  lists; the difference is what the pipeline adds around the screening service.
Run: python -m bench.bench_worker [--count N] [--rate R] [--lists builtin] [--in-process N]
[--write-doc]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from bench.common import REPO, UN_XML, ensure_broker, machine, ofac_dir, percentile, stop_broker
from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from schemas.codec import dumps
from screening.decode import decode_payments
from streams.partitioner import key_partition
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix

START = datetime(2025, 6, 2, 6, tzinfo=UTC)
DOC = REPO / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- bench_worker:start -->", "<!-- bench_worker:end -->"


@dataclass
class Report:
    """Figures with their targets, printed as they come and kept for docs/benchmarks.md."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str, target: str = "") -> None:
        digits = 2 if unit == "×" or unit.startswith("of ") else 1
        text = f"{value:,.{digits}f} {unit}" if value == value else "n/a"  # NaN: not measured
        self.rows.append((name, text, target))
        suffix = f"   (target {target})" if target else ""
        print(f"{name:<52} {text:>20}{suffix}", flush=True)

    def markdown(self, header: str) -> str:
        lines = [header, "", "| figure | measured | target |", "|---|---:|---|"]
        lines += [f"| {n} | {v} | {t} |" for n, v, t in self.rows]
        return "\n".join(lines)


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot, all cores (/proc/stat: user,
    nice, system, irq, softirq, steal; idle and iowait left out)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One timed run of workers: throughput, their CPU and memory, and how the machine's
    cores were shared over the run (the workers' own against everything else: the broker,
    the bench sending and polling, the rest of the machine)."""

    rate: float
    cpu_us: float
    rss_mib: float
    worker_cores: float
    other_cores: float
    ready_rss_mib: float
    """The first worker's resident memory once its group was stable, before the payments."""

    def add_cores(self, report: Report, who: str) -> None:
        of = f"of {os.cpu_count() or 1} cores"
        report.add(f"{who}: cores used by the worker processes", self.worker_cores, of)
        report.add(f"{who}: cores used by the broker, bench and rest", self.other_cores, of)


def proc_peak_rss_mib(pid: int) -> float:
    return _proc_status_mib(pid, "VmHWM:")


def proc_rss_mib(pid: int) -> float:
    return _proc_status_mib(pid, "VmRSS:")


def _proc_status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def end_offsets_total(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        offsets = consumer.end_offsets([TopicPartition(topic, p) for p in parts])
        return int(sum(offsets.values()))
    finally:
        consumer.close()


def wait_for_records(bootstrap: str, topic: str, count: int, timeout: float) -> None:
    """Poll the topic's end offsets (cheap: it reads no records and takes no CPU from the
    worker) until `count` records are there."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            parts = consumer.partitions_for_topic(topic) or set()
            offsets = consumer.end_offsets([TopicPartition(topic, p) for p in parts])
            if sum(offsets.values()) >= count:
                return
            time.sleep(0.5)
    finally:
        consumer.close()
    raise TimeoutError(f"{topic}: fewer than {count} records after {timeout}s")


RSS_TARGET = "≤ 400 MB (381.5 MiB)"
"""The issue's target is in MB (10^6 bytes); the kernel reports KiB, printed here as MiB."""

FULL_LISTS = [True]
"""False (--lists builtin): the worker loads only the built-in lists, so screening costs little
and the figures show the per-event machinery (Faust, aiokafka, the pipeline) around it."""


def bench_settings(bootstrap: str, tag: str, workdir: Path, **extra: object) -> Settings:
    if not FULL_LISTS[0]:
        return pipeline_settings(bootstrap, unique_topic_prefix(tag), workdir / tag, **extra)
    lists = workdir / "ofac"
    if not lists.exists():
        lists.mkdir()
        ofac_dir(lists)
    return pipeline_settings(
        bootstrap,
        unique_topic_prefix(tag),
        workdir / tag,
        ofac_dir=lists,
        un_xml=UN_XML,
        **extra,
    )


def generated(count: int, seed: int) -> list[GeneratedRecord]:
    """The bench's traffic, generated up front (generating costs more CPU than sending)."""
    return list(generate(TrafficSpec(count=count, seed=seed, start=START)))


def preload(settings: Settings, count: int, seed: int) -> None:
    create_topics(settings)
    load(settings, generated(count, seed))


def load(settings: Settings, records: list[GeneratedRecord]) -> None:
    """Publish generated records to payments.raw (generated beforehand, so that only the
    sending shares the cores with the workers)."""
    producer = make_producer(settings)
    publish(records, producer, settings.topic(names.RAW), 0)
    producer.close()


def wait_for_members(settings: Settings, workers: int, timeout: float) -> None:
    """Wait until the workers' consumer group is stable with `workers` members, each holding
    partitions."""
    from infra.kafka_clients import kafka_admin

    group = names.faust_app_id(settings)
    admin = kafka_admin(settings, "bench")
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            try:
                info = admin.describe_groups([group]).get(group, {})
            except KafkaError:  # no coordinator yet: the offsets topic is still being made
                info = {}
            members = [m for m in info.get("members", ()) if m.get("member_assignment")]
            if info.get("group_state") == "Stable" and len(members) == workers:
                return
            time.sleep(0.5)
    finally:
        admin.close()
    raise TimeoutError(f"consumer group {group}: not {workers} stable member(s) in {timeout}s")


def bench_bare_loop(bootstrap: str, workdir: Path, count: int, report: Report) -> float:
    """aiokafka consume -> parse + validate -> produce: no Faust, no rules, no state."""
    settings = bench_settings(bootstrap, "bare", workdir)
    preload(settings, count, seed=4)
    rate = asyncio.run(_bare_loop(settings, count))
    report.add("bare loop: aiokafka consume->parse->produce", rate, "payments/s")
    return rate


async def _bare_loop(settings: Settings, count: int) -> float:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.structs import TopicPartition as AioTP

    raw, out = settings.topic(names.RAW), settings.topic(names.VALID)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=settings.consumer_max_fetch_bytes,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, linger_ms=settings.producer_linger_ms
    )
    await consumer.start()
    await producer.start()
    try:
        consumer.assign([AioTP(raw, p) for p in range(settings.topic_partitions)])
        done, started = 0, None
        while done < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            started = started or time.perf_counter()
            for records in batches.values():
                for record in records:
                    for payment in decode_payments(record.value, None, 1_048_576):  # type: ignore[union-attr]
                        await producer.send(out, key=record.key, value=dumps(payment))
                    done += 1
        await producer.flush()
        return count / (time.perf_counter() - (started or 0.0))
    finally:
        await consumer.stop()
        await producer.stop()


def start_workers(
    settings: Settings, workers: int, workdir: Path, name: str
) -> list[WorkerProcess]:
    """Start `workers` worker processes (web ports one apart) and wait until their consumer
    group is stable with every worker holding partitions."""
    procs = [
        WorkerProcess(
            settings.model_copy(update={"web_port": settings.web_port + i}),
            workdir / f"worker-{name}-{i}.log",
        ).start(timeout=120)
        for i in range(workers)
    ]
    try:
        wait_for_members(settings, workers, 180)
    except BaseException:
        for proc in procs:
            proc.stop()
        raise
    return procs


def run_workers(
    settings: Settings, workers: int, count: int, workdir: Path, backlog: list[GeneratedRecord]
) -> Run:
    """Start `workers` worker processes and, once they hold their partitions, send them
    `backlog` (the steady state, without a start or a rebalance in the timed span);
    the first worker's peak RSS is the one reported."""
    procs = start_workers(settings, workers, workdir, settings.topic_prefix)
    ready_rss = proc_rss_mib(procs[0].proc.pid)  # type: ignore[union-attr]
    cpu_before = [proc_cpu_seconds(p.proc.pid) for p in procs]  # type: ignore[union-attr]
    busy_before, started = machine_busy_seconds(), time.monotonic()
    try:
        load(settings, backlog)
        wait_for_records(settings.kafka_bootstrap, settings.topic(names.DECISIONS), count, 900)
        cpu_after = [proc_cpu_seconds(p.proc.pid) for p in procs]  # type: ignore[union-attr]
        busy, wall = machine_busy_seconds() - busy_before, time.monotonic() - started
        cpu = sum(a - b for a, b in zip(cpu_after, cpu_before, strict=True))
        rss = proc_peak_rss_mib(procs[0].proc.pid)  # type: ignore[union-attr]
    finally:
        for p in procs:
            p.stop()
    decisions = read_topic(
        settings.kafka_bootstrap,
        settings.topic(names.DECISIONS),
        lambda rs: len(rs) >= count,
        timeout=120,
    )
    stamps = sorted(r.timestamp for r in decisions)
    span = max((stamps[-1] - stamps[0]) / 1000, 1e-3)
    return Run(
        len(decisions) / span, cpu / count * 1e6, rss, cpu / wall, (busy - cpu) / wall, ready_rss
    )


def measure(
    bootstrap: str, workdir: Path, tag: str, count: int, workers: int, extra: dict[str, object]
) -> Run:
    """Run `workers` workers on fresh topics, then send them `count` payments generated
    beforehand: every run (one worker or two) is timed once its workers hold their
    partitions, so the ratio compares steady states."""
    settings = bench_settings(bootstrap, tag, workdir, **extra)
    create_topics(settings)
    return run_workers(settings, workers, count, workdir, generated(count, seed=4))


def bench_throughput(
    bootstrap: str, workdir: Path, count: int, report: Report, bare: float, extra: dict[str, object]
) -> float:
    run = measure(bootstrap, workdir, "tput", count, 1, extra)
    report.add(f"worker: 1 process, {count:,} sent at once", run.rate, "payments/s", "≥ 5,000/s")
    report.add("worker / bare loop", run.rate / bare * 100, "%", "≥ 30%")
    report.add("worker CPU per payment", run.cpu_us, "µs")
    report.add("worker RSS when ready, before the payments", run.ready_rss_mib, "MiB")
    report.add("worker peak RSS (full SDN + UN loaded)", run.rss_mib, "MiB", RSS_TARGET)
    run.add_cores(report, "one worker")
    return run.rate


def bench_two_hop(
    bootstrap: str, workdir: Path, count: int, report: Report, one: float, extra: dict[str, object]
) -> None:
    """The same worker with screening at ingest off: every payment through payments.valid."""
    hop = {**extra, "screen_at_ingest": False}
    run = measure(bootstrap, workdir, "hop", count, 1, hop)
    report.add("worker, screen_at_ingest off (two hops)", run.rate, "payments/s")
    report.add("screen at ingest / two hops", one / run.rate, "×")
    report.add("two-hop worker CPU per payment", run.cpu_us, "µs")


def bench_two_workers(
    bootstrap: str, workdir: Path, count: int, report: Report, one: float, extra: dict[str, object]
) -> None:
    run = measure(bootstrap, workdir, "two", count, 2, extra)
    report.add(f"workers: 2 processes, {count:,} sent at once", run.rate, "payments/s")
    report.add("two workers / one", run.rate / one, "×", "≥ 1.6×")
    run.add_cores(report, "two workers")


def bench_latency(
    bootstrap: str,
    workdir: Path,
    count: int,
    rate: float,
    report: Report,
    extra: dict[str, object],
    workers: int = 1,
    warmup: float = 0.0,
) -> None:
    """Event -> decision latency of `workers` workers fed `rate` payments/s (a live feed).

    With `warmup` seconds, the feed runs that much longer first, at the same rate, and the
    payments sent in those first seconds are left out of the figures: they measure a worker
    whose screening memos are warm, as one that has been running is."""
    settings = bench_settings(bootstrap, f"lat{rate:.0f}w{workers}", workdir, **extra)
    create_topics(settings)
    procs = start_workers(settings, workers, workdir, f"latency-{rate:.0f}")
    warm = TrafficSpec(count=200, seed=8, start=datetime.now(UTC), id_prefix="WARM")
    producer = make_producer(settings)
    publish(generate(warm), producer, settings.topic(names.RAW), 0)
    producer.close()
    wait_for_records(bootstrap, settings.topic(names.DECISIONS), 200, 120)
    warm_count = round(rate * warmup)
    total = count + warm_count + 200
    # Event times follow the wall clock (a live feed), so none is rejected as future-dated.
    # The feed is generated before it starts: generating payments costs the feeder more CPU
    # than sending them, and the feeder shares the two cores with the workers and the broker.
    spec = TrafficSpec(
        count=count + warm_count,
        seed=6,
        start=datetime.now(UTC),
        spacing=timedelta(seconds=1 / rate),
    )
    feeder = threading.Thread(target=feed, args=(settings, list(generate(spec)), rate))
    feeder.start()
    try:
        wait_for_records(bootstrap, settings.topic(names.DECISIONS), total, total / rate + 300)
    finally:
        feeder.join()
        for proc in procs:
            proc.stop()
    decisions = read_topic(
        bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= total, 120
    )
    raw = read_topic(bootstrap, settings.topic(names.RAW), lambda rs: len(rs) >= total, 120)
    sent = {orjson.loads(r.value)["payment_id"].encode(): r.timestamp for r in raw}
    feed_from = min(t for k, t in sent.items() if not k.startswith(b"WARM"))
    measured_from = feed_from + warmup * 1000
    lat = [
        (r.timestamp - sent[r.key]) / 1000
        for r in decisions
        if r.key in sent and not r.key.startswith(b"WARM") and sent[r.key] >= measured_from
    ]
    who = "" if workers == 1 else f", {workers} workers"
    if warmup:
        who += f", after {warmup:.0f} s"
    report.add(f"event->decision p50 at {rate:,.0f}/s{who}", percentile(lat, 0.5) * 1000, "ms")
    report.add(
        f"event->decision p99 at {rate:,.0f}/s{who}",
        percentile(lat, 0.99) * 1000,
        "ms",
        "≤ 50 ms at 2,000/s",
    )


class _DropSink:
    """A sink that drops every record (the in-process figure leaves Kafka out)."""

    async def send(self, topic: str, key: object, value: object, *a: object, **k: object) -> None:
        return None


class _Message:
    __slots__ = ("headers", "key", "offset", "partition", "topic", "value")

    def __init__(self, record: GeneratedRecord, partitions: int, offset: int) -> None:
        self.key, self.value, self.topic, self.offset = record.key, record.value, "raw", offset
        self.headers = [("content-type", record.content_type.encode())]
        self.partition = key_partition(record.key, partitions)


class _Event:
    def __init__(self, message: _Message) -> None:
        self.message = message


def bench_in_process(workdir: Path, count: int, rounds: int, report: Report) -> None:
    """CPU µs per payment of the worker's Pipeline and of decode + screen_one alone, the
    two alternating `rounds` times (medians). Each run gets records of its own (another seed):
    run again over the same records, the core's memos would answer names a worker meets for
    the first time, and flatter whichever run came second."""
    import statistics

    from screening.context_loader import context_from_settings
    from screening.service import DictWindows, screen_one
    from streams.pipeline import Pipeline, Topics
    from streams.runtime import WorkerRuntime

    lists = workdir / "ofac-inproc"
    lists.mkdir(exist_ok=True)
    ofac_dir(lists)
    settings = Settings(_env_file=None, ofac_dir=lists, un_xml=UN_XML)
    ctx = context_from_settings(settings)
    parts = settings.topic_partitions
    latest = max(START + timedelta(days=1), datetime.now(UTC))
    topics = Topics("valid", "dlq", "decisions", "alerts", "screened")

    def pipeline_run(records: list[GeneratedRecord]) -> float:
        runtime = WorkerRuntime(ctx)
        pipeline = Pipeline(settings, runtime, topics, DictWindows(), _DropSink(), lambda: latest)
        events = [_Event(_Message(r, parts, i)) for i, r in enumerate(records)]
        started = time.process_time()
        for i in range(0, len(events), 500):
            asyncio.run(pipeline.ingest_batch(events[i : i + 500]))
        return time.process_time() - started

    def service_run(records: list[GeneratedRecord]) -> float:
        windows = DictWindows()
        started = time.process_time()
        for r in records:
            outcome = decode_payments(r.value, r.content_type, settings.max_message_bytes)
            if not isinstance(outcome, list):
                continue
            for payment in outcome:
                screened = screen_one(payment, ctx, latest, windows)
                dumps(screened.decision)
        return time.process_time() - started

    timings: dict[str, list[float]] = {"pipeline": [], "service": []}
    for round_ in range(rounds):
        timings["pipeline"].append(pipeline_run(generated(count, seed=100 + 2 * round_)))
        timings["service"].append(service_run(generated(count, seed=101 + 2 * round_)))
    pipe = statistics.median(timings["pipeline"]) / count * 1e6
    service = statistics.median(timings["service"]) / count * 1e6
    report.add(f"in-process Pipeline CPU per record ({count:,}, null sink)", pipe, "µs")
    report.add("in-process decode + screen_one CPU per record", service, "µs")
    report.add("Pipeline overhead around the screening service", pipe - service, "µs")


def feed(settings: Settings, records: list[GeneratedRecord], rate: float) -> None:
    producer = make_producer(settings)
    publish(records, producer, settings.topic(names.RAW), rate)
    producer.close()


def commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return out.stdout.strip() + ("+changes" if dirty else "")


def write_doc(text: str, marks: tuple[str, str] = (MARK_START, MARK_END)) -> None:
    """Replace the text between `marks` in docs/benchmarks.md (appended when absent)."""
    start, end = marks
    doc = DOC.read_text()
    if start in doc and end in doc:
        head, rest = doc.split(start, 1)
        doc = head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
    else:
        doc += f"\n{start}\n{text}\n{end}\n"
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument(
        "--rate", type=float, action="append", help="latency at these rates (default 2,000, 1,000)"
    )
    parser.add_argument("--latency-count", type=int, default=20_000)
    parser.add_argument(
        "--latency-warmup",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="feed this long first and leave it out of the latency figures (default 0)",
    )
    parser.add_argument(
        "--latency-workers",
        type=int,
        default=1,
        metavar="N",
        help="workers sharing the latency runs' feed (default 1)",
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["two", "latency", "two-hop"]
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="worker setting for every run, e.g. --set screen_at_ingest=false",
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="only the in-process figure over N records (no broker), then exit",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating in-process rounds")
    parser.add_argument(
        "--lists",
        choices=["full", "builtin"],
        default="full",
        help="builtin: only the built-in lists, to time the per-event machinery around screening",
    )
    parser.add_argument("--write-doc", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    extra: dict[str, object] = dict(item.split("=", 1) for item in args.set)
    FULL_LISTS[0] = args.lists == "full"
    header = (
        f"bench_worker on {machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"commit {commit()}, {args.in_process or args.count:,} payments"
        f"{' in process' if args.in_process else ''}, {args.lists} lists, "
        f"settings {extra or 'default'}, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"# {header}", flush=True)
    report = Report()
    if args.in_process:
        with tempfile.TemporaryDirectory() as tmp:
            bench_in_process(Path(tmp), args.in_process, args.rounds, report)
        return
    bootstrap, own = ensure_broker()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            bare = bench_bare_loop(bootstrap, work, args.count, report)
            one = bench_throughput(bootstrap, work, args.count, report, bare, extra)
            if "two-hop" not in args.skip:
                bench_two_hop(bootstrap, work, args.count, report, one, extra)
            if "two" not in args.skip:
                bench_two_workers(bootstrap, work, args.count * 2, report, one, extra)
            if "latency" not in args.skip:
                for rate in args.rate or [2_000.0, 1_000.0]:
                    bench_latency(
                        bootstrap,
                        work,
                        args.latency_count,
                        rate,
                        report,
                        extra,
                        args.latency_workers,
                        args.latency_warmup,
                    )
    finally:
        if own:
            stop_broker()
    end_load = f"load average at the end {os.getloadavg()[0]:.1f}"
    print(f"# {end_load}", flush=True)
    if args.write_doc:
        write_doc(report.markdown(f"Measured: {header}, {end_load}."))


if __name__ == "__main__":
    main()
