"""Event-time order for replay: records sorted by (created_at, payment_id), in bounded memory.

Why: the windowed rules (USD-STRUCTURING, USD-FANOUT) keep per-debtor state; a live worker sees
each debtor's payments in event-time order (within the allowed lateness), so a replay must feed
them in that order to rebuild the same windows and raise the same alerts. payment_id breaks ties
so the output does not depend on the order of the input files.

Memory: up to `chunk_size` records are held and sorted in memory; a larger input is spilled to
temporary files as sorted runs and merged (an external merge sort), so memory stays bounded by
one chunk (about 1 KB per JSON payment: 200,000 records ~ 250 MB) whatever the input size.
"""

from __future__ import annotations

import heapq
import struct
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import orjson

from offline.screen import SourceRecord
from screening.decode import decode_payments

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNKNOWN = -(2**62)
"""Key of records whose time cannot be read: they go first and are rejected by the decoder."""
DEFAULT_CHUNK = 200_000
_HEADER = struct.Struct(">qqIIiI")


@dataclass(frozen=True, order=True)
class Keyed:
    """A record with its sort key: event time (µs since epoch), payment id, input position."""

    at: int
    payment_id: str
    seq: int
    record: SourceRecord = field(compare=False)


@dataclass
class OrderStats:
    """What ordering did, for the report: how many records arrived out of event-time order."""

    records: int = 0
    out_of_order: int = 0
    spilled_runs: int = 0
    _latest: int = UNKNOWN

    def see(self, at: int) -> None:
        self.records += 1
        if at < self._latest:
            self.out_of_order += 1
        self._latest = max(self._latest, at)


def micros(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (floats would round)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def event_key(record: SourceRecord, seq: int, max_bytes: int, xsd_dir: Path | None) -> Keyed:
    """The record's sort key: read cheaply from canonical JSON, else by decoding the message."""
    fast = _json_key(record.raw) if _maybe_json(record.content_type) else None
    if fast is not None:
        return Keyed(fast[0], fast[1], seq, record)
    decoded = decode_payments(record.raw, record.content_type, max_bytes, xsd_dir)
    if isinstance(decoded, list) and decoded:
        first = min(decoded, key=lambda p: (p.created_at, p.payment_id))
        return Keyed(micros(first.created_at), first.payment_id, seq, record)
    return Keyed(UNKNOWN, "", seq, record)


def _maybe_json(content_type: str | None) -> bool:
    return content_type is None or content_type.split(";", 1)[0].strip().lower().endswith("json")


def _json_key(raw: bytes) -> tuple[int, str] | None:
    if not raw.lstrip().startswith(b"{"):
        return None
    try:
        doc = orjson.loads(raw)
        created = datetime.fromisoformat(doc["created_at"])
        payment_id = doc["payment_id"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if created.tzinfo is None or not isinstance(payment_id, str):
        return None
    return micros(created), payment_id


def event_time_order(
    records: Iterable[SourceRecord],
    max_bytes: int,
    xsd_dir: Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    stats: OrderStats | None = None,
) -> Iterator[SourceRecord]:
    """`records` sorted by event time; spills sorted runs to temp files beyond `chunk_size`."""
    stats = stats if stats is not None else OrderStats()
    with tempfile.TemporaryDirectory(prefix="dinarwatch-replay-") as tmp:
        runs: list[Path] = []
        chunk: list[Keyed] = []
        for seq, record in enumerate(records):
            keyed = event_key(record, seq, max_bytes, xsd_dir)
            stats.see(keyed.at)
            chunk.append(keyed)
            if len(chunk) >= chunk_size:
                runs.append(_spill(sorted(chunk), Path(tmp) / f"run-{len(runs):05d}"))
                chunk = []
        chunk.sort()
        stats.spilled_runs = len(runs)
        if not runs:
            yield from (k.record for k in chunk)
            return
        streams = [_read_run(run) for run in runs] + [iter(chunk)]
        yield from (k.record for k in heapq.merge(*streams))


def _spill(chunk: list[Keyed], path: Path) -> Path:
    with path.open("wb") as out:
        for k in chunk:
            _write(out, k)
    return path


def _write(out: IO[bytes], k: Keyed) -> None:
    pid, origin = k.payment_id.encode(), k.record.origin.encode()
    ctype = k.record.content_type.encode() if k.record.content_type is not None else b""
    ctype_len = len(ctype) if k.record.content_type is not None else -1
    out.write(_HEADER.pack(k.at, k.seq, len(pid), len(origin), ctype_len, len(k.record.raw)))
    out.write(pid + origin + ctype + k.record.raw)


def _read_run(path: Path) -> Iterator[Keyed]:
    with path.open("rb") as run:
        while header := run.read(_HEADER.size):
            at, seq, n_pid, n_origin, n_ctype, n_raw = _HEADER.unpack(header)
            pid = run.read(n_pid).decode()
            origin = run.read(n_origin).decode()
            ctype = run.read(n_ctype).decode() if n_ctype >= 0 else None
            raw = run.read(n_raw)
            yield Keyed(at, pid, seq, SourceRecord(origin, raw, ctype))
