"""Delta re-screening: 1,000,000 stored payments against a 50-entry list delta, one core.

Builds a pool of generated payments (generator, clean traffic), then N stored records
in the store's format (streams.rescreen_store.encode_stored) cycling through the pool; every
record gets its own payment id and its own invoice number in the remittance text, so each one
carries at least one string the probe has never seen. The delta is 50 real SDN entries
(../shared/data, seeded sample); one record in a thousand names one of them as creditor.
Every record carries the probe header the worker writes (streams.rescreen_store.stored_headers);
`--no-header` times records stored without it (decoded for the probe). Times rescreen_record
over every record (probe, and for the candidates decode and the full screening core on the
delta) and prints throughput (wall and CPU time, with the load average: the machine may be
shared), candidates, hits and peak RSS.

    .venv/bin/python -m bench.bench_rescreen [--records 1000000] [--pool 20000] [--no-header]

Never asserts timings (figures vary with the machine).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FILES, figure, machine
from generator.traffic import TrafficSpec, generate
from lists.files import load_ofac_csv, load_rule_pack
from rules.lists.base import ReferenceList
from rules.rescreen import DeltaScreen
from schemas.common import Action
from schemas.decision import Decision
from streams.rescreen_store import Headers, encode_stored, rescreen_record, stored_headers

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
    pool: list[dict[str, object]], count: int, delta: ReferenceList, seed: int, header: bool
) -> tuple[list[tuple[bytes, Headers]], int]:
    rng = random.Random(seed)
    records: list[tuple[bytes, Headers]] = []
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
        payment_json = orjson.dumps(doc)
        headers = stored_headers(payment_json) if header else []
        records.append((encode_stored(payment_json, decision), headers))
    return records, planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--delta", type=int, default=50)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-header", action="store_true", help="records without the header")
    args = parser.parse_args(argv)

    print(f"# bench_rescreen — {machine()}")
    delta = delta_of(args.delta, args.seed)
    started = time.perf_counter()
    rescreen = DeltaScreen.build(load_rule_pack(), delta, NOW.date())
    figure("delta index build", (time.perf_counter() - started) * 1000, "ms")
    pool = pool_of(args.pool, args.seed)
    records, planted = stored_records(pool, args.records, delta, args.seed, not args.no_header)
    del pool
    size = sum(len(v) + sum(len(h) for _, h in hs) for v, hs in records) / len(records)
    print(
        f"{len(records):,} stored records ({size:.0f} B avg incl. headers), "
        f"{'no probe header' if args.no_header else 'probe header'}, "
        f"{args.pool:,}-payment pool, {planted:,} planted, delta {len(delta)} SDN entries"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    before = rss_mib()
    cpu = time.process_time()
    started = time.perf_counter()
    hits = findings = 0
    for value, headers in records:
        hit = rescreen_record(rescreen, value, NOW, headers)
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
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
