"""Desk ingest into the database: alerts parsed, filed into cases and committed, per second.

Measures the database side of `desk ingest` (the same `store_batch` the consumer calls for each
polled batch of 500), not the broker: records are pre-serialised alerts in memory. Runs against
`--db URL`, else a throwaway PostgreSQL cluster with fsync on (tests/postgres.py) when
PostgreSQL is installed, else SQLite in a temp dir. Prints figures; asserts nothing.

    python -m bench.bench_desk_ingest [--count 20000] [--db URL]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from desk.db.engine import open_database, redact
from desk.ingest import Record, store_batch
from schemas.common import Action, Severity
from schemas.decision import Decision, Finding
from screening.alerts import alerts_for
from tests.factories import make_payment
from tests.postgres import create_database, postgres_bin, throwaway_cluster

TOPIC = "alerts"
RAISED = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)


def alerts(count: int) -> list[Record]:
    finding = Finding(
        rule="OFAC-SDN",
        action=Action.REVIEW,
        severity=Severity.HIGH,
        field="creditor",
        matched="Gulf Horizon Trading LLC",
        entry_id="sdn-12345",
        list_name="ofac-sdn",
        list_version="2025-03-31",
        score=0.91,
        match_method="name",
        explanation="creditor name resembles a listed entity",
    )
    records = []
    template = make_payment()
    for n in range(count):
        payment = template.model_copy(update={"payment_id": f"BENCH-{n:08d}"})
        decision = Decision(
            payment_id=payment.payment_id,
            decision=Action.REVIEW,
            findings=[finding],
            rule_pack="iraq",
            rule_pack_version="bench",
            evaluated_at=RAISED,
        )
        [alert] = alerts_for(payment, decision, RAISED)
        value = alert.model_dump_json(by_alias=True).encode()
        records.append(Record(TOPIC, 0, n, value))
    return records


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
    elif postgres_bin() is not None:
        with throwaway_cluster(fsync=True) as server:
            yield create_database(server)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench-desk.db'}"


def run(records: list[Record], url: str, batch: int) -> None:
    engine, sessions = open_database(url)
    names = {TOPIC: TOPIC}
    for label in ("first delivery", "redelivery (all duplicates)"):
        started = time.perf_counter()
        for start in range(0, len(records), batch):
            store_batch(sessions, records[start : start + batch], names)
        elapsed = time.perf_counter() - started
        print(
            f"  {label:28} {len(records):>7} alerts in {elapsed:6.2f} s = "
            f"{len(records) / elapsed:8.0f} alerts/s (batches of {batch})"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    records = alerts(args.count)
    with database(args.db) as url:
        engine = url.split(":", 1)[0]
        print(f"desk ingest -> {engine} ({redact(url)})")
        run(records, url, args.batch)


if __name__ == "__main__":
    main()
