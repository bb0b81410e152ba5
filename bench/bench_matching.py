"""Name-matching benchmark: NameIndex over the full OFAC SDN list plus the CBI USD-ban list.

Prints build time, memory, lookups per second with median/p99 latency on a generated mix of
payment party names, and recall/precision on the labelled evaluation set. Run from the repo root:

    .venv/bin/python bench/bench_matching.py [--queries 10000] [--seed 7] [--threshold 0.85]

Needs ../shared/data (OFAC files); never asserts timings (figures vary with the machine).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.matching import MATCHER_VERSION, NameIndex
from rules.matching.normalize import analyse_name
from tests.unit.rules.matching.evalset import (
    ALT_CSV,
    SDN_CSV,
    cbi_entries,
    evaluate,
    evaluation_index,
    names_of,
    positives,
    read_sdn,
)

GIVEN = [
    "Ahmed",
    "Mohammed",
    "Ali",
    "Hussein",
    "Hassan",
    "Omar",
    "Mustafa",
    "Karim",
    "Yusuf",
    "Abbas",
    "Haider",
    "Zainab",
    "Fatima",
    "Noor",
    "Sara",
    "Mehmet",
    "Emre",
    "Ayse",
    "Can",
    "Khalid",
    "Saeed",
    "Rashid",
    "Salem",
    "Faisal",
    "Layla",
    "Murat",
    "Burak",
    "Ibrahim",
    "Jassim",
    "Qasim",
    "Sadiq",
    "Aras",
    "Dilshad",
    "Rebwar",
    "Shilan",
    "Goran",
    "Hemin",
]
FAMILY = [
    "Al-Obaidi",
    "Al-Jubouri",
    "Al-Tamimi",
    "Al-Dulaimi",
    "Al-Khafaji",
    "Al-Saadi",
    "Al-Zubaidi",
    "Al-Shammari",
    "Al Maktoum",
    "Al Nuaimi",
    "Al Mansouri",
    "Al Hashimi",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Sahin",
    "Celik",
    "Ozturk",
    "Aydin",
    "Barzani",
    "Talabani",
    "Karim",
    "Abdullah",
    "Mahmoud",
    "Al-Rubaie",
    "Al-Bayati",
    "Hawrami",
    "Kurdi",
]
FIRM_WORDS = [
    "Noor",
    "Al Rafidain",
    "Dijla",
    "Furat",
    "Babil",
    "Zagros",
    "Al Mustaqbal",
    "Golden Palm",
    "Desert Rose",
    "Gulf Star",
    "Anatolia",
    "Bosphorus",
    "Ege",
    "Marmara",
    "Al Waha",
    "Al Fajr",
    "Sama",
    "Ishtar",
    "Nineveh",
    "Al Khaleej",
    "Jazira",
    "Orient",
    "Sharq",
    "Tigris",
    "Euphrates",
    "Kurdistan",
    "Erbil",
    "Basra",
    "Dubai",
    "Al Bayan",
    "Al Amal",
    "Al Salam",
    "Mesopotamia",
    "Ur",
    "Akkad",
    "Hawler",
    "Duhok",
    "Sulaimani",
]
FIRM_KINDS = [
    "General Trading LLC",
    "Trading Co.",
    "for General Trading",
    "Contracting Company",
    "Oil Services",
    "Electrical Equipment Trading",
    "Foodstuff Trading LLC",
    "Construction Ltd",
    "Tekstil Sanayi ve Ticaret A.S.",
    "Insaat Ltd. Sti.",
    "Logistics FZE",
    "Real Estate Development",
    "Money Transfer Co.",
    "Travel & Tourism",
    "Pharmaceuticals",
    "Steel Industries",
    "Cement Factory",
    "Import & Export",
]


def generated_names(count: int, seed: int) -> list[str]:
    """Payment party names: ~45% people, ~50% firms, ~5% listed-name variants (eval set)."""
    rng = random.Random(seed)
    listed = [case.query for case in positives()]
    names: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            names.append(f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}")
        elif roll < 0.95:
            names.append(
                f"{rng.choice(FIRM_WORDS)} {rng.choice(FIRM_WORDS)} {rng.choice(FIRM_KINDS)}"
            )
        else:
            names.append(rng.choice(listed))
    return names


def measure_build() -> tuple[NameIndex, float, float, int, int]:
    """Build the full index; returns it, seconds, peak traced MiB, entries and names."""
    entries = [*read_sdn(SDN_CSV, ALT_CSV), *cbi_entries()]
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = NameIndex(entries)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return index, elapsed, peak / 2**20, len(entries), names_of(entries)


def time_lookups(
    index: NameIndex, names: list[str], threshold: float, reset: Callable[[], None] | None
) -> tuple[list[float], int]:
    """Per-lookup seconds (and hit count); `reset` clears caches before each lookup (cold)."""
    timings: list[float] = []
    hits = 0
    for name in names:
        if reset is not None:
            reset()
        started = time.perf_counter()
        found = index.search(name, threshold)
        timings.append(time.perf_counter() - started)
        hits += bool(found)
    return timings, hits


def report(label: str, timings: list[float], hits: int) -> None:
    micros = sorted(t * 1e6 for t in timings)
    p99 = micros[min(len(micros) - 1, int(len(micros) * 0.99))]
    rate = len(micros) / sum(timings)
    print(
        f"{label:<44} {rate:>9,.0f}/s  median {statistics.median(micros):7.1f} us"
        f"  p99 {p99:8.1f} us  max {micros[-1]:8.1f} us  names with hits {hits}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.85)
    args = parser.parse_args()
    if not SDN_CSV.exists():
        sys.exit(f"missing {SDN_CSV}: the benchmark needs ../shared/data")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    index, build_seconds, peak_mib, entries, names = measure_build()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"matcher {MATCHER_VERSION}; threshold {args.threshold}")
    print(f"index: {entries:,} entries, {names:,} names -> {len(index):,} indexed aliases")
    print(
        f"build: {build_seconds:.2f} s; peak traced memory {peak_mib:.0f} MiB; "
        f"max RSS grew {(rss_after - rss_before) / 1024:.0f} MiB"
    )

    queries = generated_names(args.queries, args.seed)
    print(f"queries: {len(queries):,} generated names, {len(set(queries)):,} distinct")

    def cold() -> None:
        index._cache.clear()
        index._token_memo.clear()
        analyse_name.cache_clear()

    def name_cold() -> None:
        index._cache.clear()
        analyse_name.cache_clear()

    report("cold (no caches at all)", *time_lookups(index, queries, args.threshold, cold))
    index._token_memo.clear()
    report(
        "new names, token memo warming (first pass)",
        *time_lookups(index, queries, args.threshold, name_cold),
    )
    report("new names, token memo warm", *time_lookups(index, queries, args.threshold, name_cold))
    time_lookups(index, queries, args.threshold, None)
    report("repeated names (query cache warm)", *time_lookups(index, queries, args.threshold, None))

    outcome = evaluate(evaluation_index(), args.threshold)
    print(
        f"evaluation set (CBI + militia/Iran fixture): recall {outcome.recall:.3f}, "
        f"precision {outcome.precision:.3f}, misses {len(outcome.false_negatives)}, "
        f"false positives {len(outcome.false_positives)}"
    )


if __name__ == "__main__":
    main()
