"""Small replay inputs for the tests: generated feeds written the way `generate --out` does."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import orjson

from generator.renderers import formats_for, renderers
from generator.traffic import GeneratedRecord, TrafficSpec, generate

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def feed_records(
    count: int, seed: int = 11, fmt: str = "json", violation_rate: float = 0.15
) -> list[GeneratedRecord]:
    spec = TrafficSpec(
        count=count,
        seed=seed,
        start=START,
        violation_rate=violation_rate,
        formats=formats_for(fmt),
        renderers=renderers(),
    )
    return list(generate(spec))


def file_line(record: GeneratedRecord) -> bytes:
    """JSON payments as they are; XML/MT wrapped in the envelope `generate --out` writes."""
    if record.content_type == "application/json":
        return record.value + b"\n"
    doc = {"content_type": record.content_type, "message": record.value.decode()}
    return orjson.dumps(doc) + b"\n"


def write_feed(path: Path, records: Iterable[GeneratedRecord]) -> Path:
    data = b"".join(file_line(r) for r in records)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)
    return path


def payment_line(payment_id: str, created_at: str, value_date: str, creditor_agent: dict) -> bytes:  # type: ignore[type-arg]
    """One canonical payment (USD, Bank of Baghdad to a given creditor agent)."""
    doc = {
        "payment_id": payment_id,
        "created_at": created_at,
        "value_date": value_date,
        "amount": "12500.00",
        "currency": "USD",
        "debtor": {"name": "Babel Food Industries", "account": "IQ98BBAG001234567890123"},
        "debtor_agent": {"bic": "BABIIQBA", "name": "Bank of Baghdad"},
        "creditor": {"name": "Tigris Supplies", "account": "IQ20BBAG009876543210987"},
        "creditor_agent": creditor_agent,
    }
    return orjson.dumps(doc) + b"\n"
