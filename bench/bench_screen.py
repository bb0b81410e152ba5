"""`dinarwatch screen` throughput with the full SDN list loaded (the code path of the CLI).

Builds a temporary DINARWATCH_OFAC_DIR of symlinks (2024-05-03 sdn.csv + 2025-12 alt.csv and
add.csv), loads the lists and the screening context exactly as `dinarwatch screen` does
(streams.context_loader.context_from_settings), then prints: list load and index build time,
peak RSS, SDN name lookups/s with median µs per lookup on fresh party names, screening
throughput over generated payments through streams.offline.screen_records on one core, a
digest of every decision (equal digests = identical results across code changes), and the
name-matching eval set's recall/precision. Run from the repo root:

    .venv/bin/python bench/bench_screen.py [--payments 100000] [--lookups 20000] [--profile 20000]

Needs ../shared/data; never asserts timings (figures vary with the machine).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_matching import generated_names
from bench.common import figure, machine, ofac_dir
from rules.context import ScreeningContext
from rules.lists.ofac import SDN_LIST
from rules.matching import MATCHER_VERSION
from schemas.codec import dumps
from streams.context_loader import context_from_settings
from streams.offline import Screened, SourceRecord, screen_records
from streams.settings import Settings
from streams.synthetic.generator import TrafficSpec, generate
from tests.unit.rules.matching.evalset import evaluate, evaluation_index

START = datetime(2025, 6, 2, 6, tzinfo=UTC)
TARGET_PPS = 20_000


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_context(folder: Path) -> ScreeningContext:
    settings = Settings(_env_file=None, ofac_dir=folder)
    before = rss_mib()
    started = time.perf_counter()
    ctx = context_from_settings(settings)
    elapsed = time.perf_counter() - started
    sdn = ctx.lists.get(SDN_LIST)
    index = ctx.index(SDN_LIST)
    assert sdn is not None and index is not None
    figure("lists loaded + indexes built (SDN + built-ins)", elapsed, "s")
    figure("SDN entries / indexed aliases", len(sdn), f"entries, {len(index.names):,} aliases")
    figure("peak RSS after build", rss_mib(), f"MiB (+{rss_mib() - before:,.0f} MiB)")
    return ctx


def payments(count: int, seed: int) -> list[SourceRecord]:
    spec = TrafficSpec(count=count, seed=seed, start=START, violation_rate=0.05)
    return [
        SourceRecord(f"bench:{i}", record.value, record.content_type)
        for i, record in enumerate(generate(spec))
    ]


def screen_all(
    records: list[SourceRecord], ctx: ScreeningContext
) -> tuple[float, float, str, Counter[str]]:
    """Wall and CPU seconds, digest of every decision line, and decision counts.

    CPU time is the figure to compare across runs on a shared machine: wall time includes
    whatever else the core was doing.
    """
    digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    cpu = time.process_time()
    started = time.perf_counter()
    for result in screen_records(records, ctx, None, 1_048_576):
        if isinstance(result, Screened):
            line = dumps(result.decision)
            digest.update(line)
            counts[result.decision.decision.value] += 1
        else:
            counts["rejected"] += 1
    wall = time.perf_counter() - started
    return wall, time.process_time() - cpu, digest.hexdigest()[:16], counts


def lookups(ctx: ScreeningContext, count: int, seed: int, threshold: float) -> None:
    index = ctx.index(SDN_LIST)
    assert index is not None
    names = list(dict.fromkeys(generated_names(count, seed + 1000)))
    timings: list[float] = []
    started = time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        index.names.search(name, threshold)
        timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    figure("SDN name lookups (distinct, uncached)", len(names) / elapsed, "lookups/s")
    figure("median per lookup", statistics.median(timings) * 1e6, "µs")


def profile(records: list[SourceRecord], ctx: ScreeningContext) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in screen_records(records, ctx, None, 1_048_576):
        pass
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(25)


def one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many payments")
    args = parser.parse_args(argv)

    print(f"# bench_screen — {machine()}, {one_core()}, matcher {MATCHER_VERSION}")
    with tempfile.TemporaryDirectory(prefix="dw-ofac-") as tmp:
        ctx = load_context(ofac_dir(Path(tmp)))
    records = payments(args.payments, args.seed)
    if args.profile:
        profile(records[: args.profile], ctx)
        return
    wall, cpu, digest, counts = screen_all(records, ctx)
    count = len(records)
    figure(
        f"screen throughput, CPU time ({count:,} payments)",
        count / cpu,
        "payments/s",
        f">= {TARGET_PPS:,}",
    )
    figure("screen throughput, wall clock (1 core)", count / wall, "payments/s")
    figure("CPU per payment", cpu / count * 1e6, "µs")
    print(f"{'decisions':<48} {dict(sorted(counts.items()))}  digest {digest}")
    lookups(ctx, args.lookups, args.seed, ctx.pack.name_match_threshold)
    outcome = evaluate(evaluation_index(), ctx.pack.name_match_threshold)
    figure("eval set recall", outcome.recall * 100, "%")
    figure("eval set precision", outcome.precision * 100, "%")


if __name__ == "__main__":
    main()
