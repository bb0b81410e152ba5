"""Delta re-screening: 1,000,000 stored payments against a 50-entry list delta, one core.

Builds a pool of generated payments (streams.synthetic, clean traffic), then N stored records
in the store's format (streams.rescreen_store.encode_stored) cycling through the pool; every
record gets its own payment id and its own invoice number in the remittance text, so each one
carries at least one string the probe has never seen. The delta is 50 real SDN entries
(../shared/data, seeded sample); one record in a thousand names one of them as creditor.
Times rescreen_record over every record (decode, probe, and for the candidates the full
screening core on the delta) and prints throughput, candidates, hits and peak RSS.

    .venv/bin/python -m bench.bench_rescreen [--records 1000000] [--pool 20000]

Never asserts timings (figures vary with the machine).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FILES, figure, machine
from rules.lists.base import ReferenceList
from rules.rescreen import DeltaScreen
from schemas.common import Action
from schemas.decision import Decision
from streams.list_files import load_ofac_csv, load_rule_pack
from streams.rescreen_store import encode_stored, rescreen_record
from streams.synthetic.generator import TrafficSpec, generate

TARGET_PPS = 50_000
START = datetime(2026, 11, 6, 6, tzinfo=UTC)
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def delta_of(size: int, seed: int) -> ReferenceList:
    sdn = load_ofac_csv(FILES["sdn.csv"], FILES["alt.csv"], FILES["add.csv"], published=None)
    entries = [e for e in sdn.reference.entries if e.kind != "vessel"]
    chosen = random.Random(seed).sample(entries, size)
    return ReferenceList.build("ofac-sdn", chosen, published=date(2026, 12, 6))


def pool_of(size: int, seed: int) -> list[dict[str, object]]:
    spec = TrafficSpec(count=size, seed=seed, start=START, violation_rate=0.0)
    return [orjson.loads(r.value) for r in generate(spec)]


def stored_records(
    pool: list[dict[str, object]], count: int, delta: ReferenceList, seed: int
) -> tuple[list[bytes], int]:
    rng = random.Random(seed)
    records: list[bytes] = []
    planted = 0
    for i in range(count):
        doc = dict(pool[i % len(pool)])
        doc["payment_id"] = f"RS-{i:08d}"
        doc["remittance_info"] = f"{doc.get('remittance_info') or 'Goods'} INV-{i:08d}"
        if i % 1000 == 500:
            creditor = dict(doc["creditor"])  # type: ignore[call-overload]
            creditor["name"] = rng.choice(delta.entries).primary_name
            doc["creditor"] = creditor
            planted += 1
        decision = Decision(
            payment_id=str(doc["payment_id"]),
            decision=Action.PASS,
            rule_pack="iraq",
            rule_pack_version="1",
            evaluated_at=START,
        )
        records.append(encode_stored(orjson.dumps(doc), decision))
    return records, planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--delta", type=int, default=50)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)

    print(f"# bench_rescreen — {machine()}")
    delta = delta_of(args.delta, args.seed)
    started = time.perf_counter()
    rescreen = DeltaScreen.build(load_rule_pack(), delta, NOW.date())
    figure("delta index build", (time.perf_counter() - started) * 1000, "ms")
    pool = pool_of(args.pool, args.seed)
    records, planted = stored_records(pool, args.records, delta, args.seed)
    del pool
    print(
        f"{len(records):,} stored records ({sum(map(len, records)) / len(records):.0f} B avg), "
        f"{args.pool:,}-payment pool, {planted:,} planted, delta {len(delta)} SDN entries"
    )
    before = rss_mib()
    cpu = time.process_time()
    started = time.perf_counter()
    hits = findings = 0
    for value in records:
        hit = rescreen_record(rescreen, value, NOW)
        if hit is not None:
            hits += 1
            findings += len(hit.findings)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    figure(
        f"re-screen throughput, wall ({len(records):,} records)",
        len(records) / wall,
        "payments/s",
        f">= {TARGET_PPS:,}",
    )
    figure("re-screen throughput, CPU time", len(records) / cpu, "payments/s")
    figure("CPU per stored payment", cpu / len(records) * 1e6, "µs")
    figure("probe candidates screened in full", rescreen.probe.candidates, "payments")
    figure("payments hit (retro alerts to raise)", hits, "payments")
    figure("findings", findings, "findings")
    figure("peak RSS (records in memory + index)", rss_mib(), "MiB")
    figure("peak RSS before the re-screen", before, "MiB")


if __name__ == "__main__":
    main()
