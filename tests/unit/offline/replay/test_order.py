"""Event-time ordering: sort keys from every format, ties, unreadable records, spilled runs."""

from __future__ import annotations

import random

from offline.replay.order import UNKNOWN, OrderStats, event_key, event_time_order, micros
from offline.screen import SourceRecord
from tests.unit.offline.replay.feeds import START, feed_records, payment_line

BIC = {"bic": "EBILAEAD"}


def key(raw: bytes, content_type: str | None = None) -> tuple[int, str]:
    k = event_key(SourceRecord("t", raw, content_type), 0, 1 << 20, None)
    return k.at, k.payment_id


def test_json_keys_are_exact_utc_microseconds() -> None:
    line = payment_line("P-1", "2025-06-02T09:00:00.250+03:00", "2025-06-02", BIC)
    assert key(line.strip()) == (micros(START) + 250_000, "P-1")


def test_xml_and_mt_keys_come_from_the_decoded_payment() -> None:
    for record in feed_records(40, seed=2, fmt="mixed"):
        at, payment_id = key(record.value, record.content_type)
        # planted patterns reach back up to ~2.6 h before their place in the feed
        assert payment_id == record.label["payment_id"] and at >= micros(START) - 3 * 3_600_000_000


def test_unreadable_records_sort_first() -> None:
    assert key(b"not a payment") == (UNKNOWN, "")
    assert key(b'{"payment_id": "x", "created_at": "2025-01-01T00:00:00"}')[0] == UNKNOWN


def test_ties_on_created_at_break_on_payment_id() -> None:
    lines = [payment_line(p, "2025-06-02T06:00:00Z", "2025-06-02", BIC).strip() for p in "CAB"]
    ordered = event_time_order([SourceRecord(str(i), r) for i, r in enumerate(lines)], 1 << 20)
    assert [r.origin for r in ordered] == ["1", "2", "0"]


def test_spilled_runs_merge_to_the_in_memory_order() -> None:
    records = [
        SourceRecord(r.label["payment_id"], r.value, r.content_type)
        for r in feed_records(300, seed=8, fmt="mixed")
    ]
    random.Random(1).shuffle(records)
    stats = OrderStats()
    in_memory = list(event_time_order(records, 1 << 20))
    spilled = list(event_time_order(records, 1 << 20, chunk_size=32, stats=stats))
    assert spilled == in_memory and stats.spilled_runs == 300 // 32 and stats.records == 300
    types = {r.content_type for r in spilled}
    assert types == {"application/json", "application/xml", "text/x-swift-mt"}
