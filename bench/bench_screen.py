"""`dinarwatch screen` throughput with the full SDN list loaded (the code path of the CLI).

Builds a temporary DINARWATCH_OFAC_DIR of symlinks (2024-05-03 sdn.csv + 2025-12 alt.csv and
add.csv), loads the lists and the screening context exactly as `dinarwatch screen` does
(screening.context_loader.context_from_settings), then prints: list load and index build time,
peak RSS, SDN name lookups/s with median µs per lookup on fresh party names, screening
throughput over generated payments through offline.screen.screen_records on one core, a
digest of every decision (equal digests = identical results across code changes), and the
name-matching eval set's recall/precision, the party cache's hit rate (rules/party_cache.py) and
peak RSS. Run from the repo root:

    .venv/bin/python bench/bench_screen.py [--payments 100000] [--lookups 20000] [--profile 20000]
        [--baseline 1227a91[,REV...]] [--rounds 3]

Before/after in the same run: `--baseline REV,...` (default BASELINE, the last commit with the
previous matcher, dw-names-2) extracts each commit's product packages with `git archive` into a
temporary folder and times them and the working tree on the same generated records, in child
processes on the same core, the order rotating each round (`--rounds` of each); it prints the
medians and each one's ratio to the first revision. The records are generated once, by the
working tree's generator, and written to one file that every child reads, so all screen the
very same bytes; each child imports the screening API from where its own tree keeps it
(streams/ before issue 18's layout) and reports its decision digest (equal digests: identical
decisions; a tree with another matcher differs). `--baseline none` skips it.

Needs ../shared/data; never asserts timings (figures vary with the machine).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pickle
import pstats
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_matching import generated_names
from bench.common import figure, machine, ofac_dir
from generator.traffic import TrafficSpec, generate
from infra.settings import Settings
from offline.screen import SourceRecord, screen_records
from rules.context import ScreeningContext
from rules.lists.ofac import SDN_LIST
from rules.matching import MATCHER_VERSION
from schemas.codec import dumps
from screening.context_loader import context_from_settings
from screening.service import Screened
from tests.unit.rules.matching.evalset import evaluate, evaluation_index

START = datetime(2025, 6, 2, 6, tzinfo=UTC)
TARGET_PPS = 20_000
REPO = Path(__file__).resolve().parents[1]
BASELINE = "1227a91"
"""The last commit screening with the previous matcher (dw-names-2); docs/matching.md's
baseline column is measured on it too."""
PRODUCT_DIRS = (
    "rules", "schemas", "streams", "alerts", "screening", "offline", "infra", "lists", "generator",
    "cli",
)  # fmt: skip
"""The product's packages; a revision's archive takes those it has (older ones have fewer)."""

CHILD = """
import hashlib, json, pickle, resource, sys, time
from pathlib import Path

root, records_file, ofac = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, root)
from schemas.codec import dumps
if (Path(root) / "screening" / "service.py").exists():
    from screening.context_loader import context_from_settings
    from offline.screen import SourceRecord, screen_records
    from screening.service import Screened
    from infra.settings import Settings
else:  # before the layout of issue 18: everything under streams/
    from streams.context_loader import context_from_settings
    from streams.offline import SourceRecord, screen_records
    from streams.settings import Settings
    try:
        from streams.screening import Screened
    except ImportError:  # before the one screening service
        from streams.offline import Screened
try:
    from rules.matching import MATCHER_VERSION
except ImportError:
    MATCHER_VERSION = "unknown"

started = time.perf_counter()
ctx = context_from_settings(Settings(_env_file=None, ofac_dir=Path(ofac)))
loaded = time.perf_counter() - started
with open(records_file, "rb") as handle:
    records = [SourceRecord(*row) for row in pickle.load(handle)]
digest = hashlib.sha256()
counts = {}
cpu, wall = time.process_time(), time.perf_counter()
for result in screen_records(records, ctx, None, 1_048_576):
    if isinstance(result, Screened):
        digest.update(dumps(result.decision))
        key = result.decision.decision.value
    else:
        key = "rejected"
    counts[key] = counts.get(key, 0) + 1
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
parties = getattr(ctx, "parties", None)
print(json.dumps({"cpu": cpu, "wall": wall, "load": loaded, "digest": digest.hexdigest()[:16],
                  "counts": counts, "matcher": MATCHER_VERSION, "payments": len(records),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "hit_rate": parties.stats().hit_rate if parties is not None else None}))
"""
"""A child run: loads the lists with the product code under `root` and screens the records.

Only APIs that every compared tree has are used (context_from_settings, screen_records,
SourceRecord, dumps), imported from where that tree keeps them (streams/ before the layout of
issue 18), and the timed loop is the same as `screen_all`'s."""


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


def extract(revision: str, folder: Path) -> str:
    """The product code of `revision` under `folder` (git archive, no checkout); its hash.

    Only the packages of PRODUCT_DIRS that the revision has are taken (older layouts kept
    everything but rules/ and schemas/ under streams/)."""
    commit = git("rev-parse", "--short", f"{revision}^{{commit}}").strip()
    present = set(git("ls-tree", "--name-only", commit).split())
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "product.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", commit]
            + [d for d in PRODUCT_DIRS if d in present],
            stdout=out,
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    archive.unlink()
    return commit


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout


class ChildRun(NamedTuple):
    """What one child run printed (see CHILD)."""

    cpu: float
    wall: float
    load: float
    digest: str
    counts: dict[str, int]
    matcher: str
    payments: int
    rss: float
    hit_rate: float | None

    @property
    def rate(self) -> float:
        return self.payments / self.cpu


def child_run(root: Path, records_file: Path, ofac: Path) -> ChildRun:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(records_file), str(ofac)],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"child run under {root} failed:\n{done.stderr[-3000:]}")
    return ChildRun(**json.loads(done.stdout.strip().splitlines()[-1]))


CURRENT = "working tree"


def compare(records: list[SourceRecord], revisions: list[str], rounds: int, ofac: Path) -> None:
    """Each revision and the working tree, `rounds` child runs each, in rotating order on the
    same records; medians and each one's ratio to the first revision."""
    runs: dict[str, list[ChildRun]] = {}
    with tempfile.TemporaryDirectory(prefix="dw-baseline-") as tmp:
        folder = Path(tmp)
        roots: dict[str, Path] = {}
        for n, revision in enumerate(revisions):
            commit = extract(revision, folder / f"tree{n}")
            roots[commit] = folder / f"tree{n}"
        roots[CURRENT] = REPO
        records_file = folder / "records.pickle"
        with records_file.open("wb") as out:
            pickle.dump([(r.origin, r.raw, r.content_type) for r in records], out)
        labels = list(roots)
        for i in range(rounds):
            # Rotate the order each round so that no tree always runs first or last.
            shift = i % len(labels)
            for label in labels[shift:] + labels[:shift]:
                run = child_run(roots[label], records_file, ofac)
                runs.setdefault(label, []).append(run)
                cache = f"  party cache {run.hit_rate:.1%}" if run.hit_rate is not None else ""
                print(
                    f"round {i + 1} {label:<12} {run.matcher:<11} {run.rate:>7,.0f} payments/s "
                    f"CPU {run.payments / run.wall:>7,.0f}/s wall  lists {run.load:.1f} s  "
                    f"RSS {run.rss:,.0f} MiB  digest {run.digest}{cache}",
                    flush=True,
                )
    first = labels[0]
    base = statistics.median(r.rate for r in runs[first])
    for label in labels:
        rate = statistics.median(r.rate for r in runs[label])
        name = label if label == CURRENT else f"{label} ({runs[label][0].matcher})"
        figure(f"{name}, median of {rounds}", rate, "payments/s")
        if label != first:
            print(f"{'  / ' + first + ' (CPU time)':<48} {rate / base:>12.2f} x   (target >= 1.0)")
    for label in labels:
        print(f"{label + ' decisions':<48} {dict(sorted(runs[label][0].counts.items()))}")
    rejected = {label: runs[label][0].counts.get("rejected", 0) for label in labels}
    if len(set(rejected.values())) > 1:
        # A record one tree rejects is not screened there: the rates time different work.
        print(
            f"WARNING: rejected records differ {rejected}: the ratios above do not compare "
            "like with like"
        )


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
    parser.add_argument(
        "--baseline",
        default=BASELINE,
        help="commits to time against in the same run (comma-separated; ratios to the first), "
        "or none",
    )
    parser.add_argument("--rounds", type=int, default=3, help="child runs of each, alternating")
    args = parser.parse_args(argv)

    print(f"# bench_screen — {machine()}, {one_core()}, matcher {MATCHER_VERSION}")
    with tempfile.TemporaryDirectory(prefix="dw-ofac-") as tmp:
        ofac = ofac_dir(Path(tmp))
        ctx = load_context(ofac)
        records = payments(args.payments, args.seed)
        if args.profile:
            profile(records[: args.profile], ctx)
            return
        if args.baseline != "none":
            compare(records, args.baseline.split(","), args.rounds, ofac)
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
    cache = ctx.parties.stats()
    figure(
        "party cache hit rate",
        cache.hit_rate * 100,
        f"% ({cache.hits:,} hits, {cache.misses:,} misses, {cache.size:,}/{cache.capacity:,} held)",
    )
    figure("peak RSS after screening", rss_mib(), "MiB")
    lookups(ctx, args.lookups, args.seed, ctx.pack.name_match_threshold)
    outcome = evaluate(evaluation_index(), ctx.pack.name_match_threshold)
    figure("eval set recall", outcome.recall * 100, "%")
    figure("eval set precision", outcome.precision * 100, "%")


if __name__ == "__main__":
    main()
