"""Replay throughput and peak memory on a generated file, all rules enabled, one core.

Figures printed (no assertions; target 20,000 payments/s):
- generation of the input file (not part of the replay);
- the whole replay (read + event-time sort + decode + screen + write JSONL + report.json/html):
  payments/s on wall time and on CPU time, and the peak resident memory of the process;
- screening alone (decode + rules + windows, screen_records over records held in memory) on a
  sample, to separate the rules' cost from the replay's own overhead;
- with --profile: the top functions by own time (cProfile) on that sample.
Run: python -m bench.bench_replay [--count N] [--format json|mixed] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import figure, machine
from generator.renderers import formats_for, renderers
from generator.traffic import TrafficSpec, generate
from lists.files import default_context
from offline.replay.runner import ReplayParams, run_replay
from offline.replay.sources import FileSource
from offline.screen import SourceRecord, screen_records

START = datetime(2025, 6, 2, 6, tzinfo=UTC)
TARGET = "20,000 payments/s"


def spec(count: int, fmt: str, seed: int = 3) -> TrafficSpec:
    return TrafficSpec(
        count=count,
        seed=seed,
        start=START,
        violation_rate=0.05,
        formats=formats_for(fmt),
        renderers=renderers(),
    )


def write_input(path: Path, count: int, fmt: str) -> float:
    """Stream generated records to a JSONL file (envelopes for XML/MT); seconds taken."""
    import orjson

    started = time.perf_counter()
    with path.open("wb") as out:
        for record in generate(spec(count, fmt)):
            if record.content_type == "application/json":
                out.write(record.value + b"\n")
            else:
                doc = {"content_type": record.content_type, "message": record.value.decode()}
                out.write(orjson.dumps(doc) + b"\n")
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_replay(path: Path, out: Path, count: int, chunk: int) -> None:
    ctx = default_context()
    before = peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_replay(FileSource([path]), ctx, ReplayParams(chunk_size=chunk), out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    payments = result.stats.payments
    figure("replay: payments", payments, "payments")
    figure("replay: alerts", result.stats.alerts, "alerts")
    figure("replay: wall time", wall, "s")
    figure("replay: throughput (wall)", payments / wall, "payments/s", TARGET)
    figure("replay: throughput (CPU time)", payments / cpu, "payments/s", TARGET)
    figure("replay: sorted runs spilled to disk", result.order.spilled_runs, "runs")
    figure("peak RSS before replay (generation streamed)", before, "MiB")
    figure("peak RSS after replay", peak_rss_mb(), "MiB")
    assert payments == count or result.stats.rejected


def bench_screening(fmt: str, sample: int, profile: bool) -> None:
    records = [SourceRecord("bench", r.value, r.content_type) for r in generate(spec(sample, fmt))]
    ctx = default_context()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    done = sum(1 for _ in screen_records(records, ctx, None, 1_048_576))
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    label = "screening alone (profiled)" if profile else "screening alone (decode+rules+windows)"
    figure(label, done / seconds, "payments/s", TARGET)
    figure("screening alone: per payment", seconds / done * 1e6, "µs")
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(18)
        print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000, help="payments in the file")
    parser.add_argument("--format", default="json", choices=["json", "mixed"])
    parser.add_argument("--sample", type=int, default=20_000, help="screening-alone sample")
    parser.add_argument("--sort-chunk", type=int, default=200_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the sample")
    parser.add_argument("--keep", type=Path, help="keep input and outputs in this directory")
    args = parser.parse_args()
    print(f"replay bench: {args.count:,} {args.format} payments, all rules; {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "feed.jsonl"
        seconds = write_input(path, args.count, args.format)
        figure("generate input file", args.count / seconds, "payments/s")
        figure("input file size", path.stat().st_size / 1e6, "MB")
        bench_replay(path, folder / "out", args.count, args.sort_chunk)
    bench_screening(args.format, min(args.sample, args.count), args.profile)


if __name__ == "__main__":
    main()
