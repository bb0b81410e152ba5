"""Screening without Kafka: the same decode and rules code the worker runs, over files.

Used by `dinarwatch screen` (and by replay): read records, decode, screen in order, emit one
decision per payment; rejected records are reported with their line number and reason.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import orjson

from alerts.record import alerts_for
from rules.context import ScreeningContext
from rules.session import screen_with_window
from rules.windows import DebtorWindow, debtor_key
from schemas.alert import Alert
from schemas.decision import Decision
from schemas.payment import Payment
from streams.deadletter import Rejection
from streams.ingest import decode_payments


@dataclass(frozen=True)
class SourceRecord:
    """One input record, where it came from (for error messages) and its declared format."""

    origin: str
    raw: bytes
    content_type: str | None = None


ENVELOPE_PREFIX = b'{"content_type":'
"""JSON Lines files written by `generate --out` wrap XML/MT messages in an envelope."""


@dataclass(frozen=True)
class Screened:
    payment: Payment
    decision: Decision
    alerts: list[Alert]


@dataclass(frozen=True)
class Rejected:
    record: SourceRecord
    rejection: Rejection


def open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def read_records(stream: IO[bytes], name: str) -> Iterator[SourceRecord]:
    """Records of one input: JSON Lines, one XML message, or SWIFT MT messages split on '$'."""
    head = _peek(stream).lstrip()
    if head.startswith(b"<"):
        yield SourceRecord(name, stream.read())
    elif head.startswith(b"{1:"):
        for number, message in enumerate(stream.read().split(b"$"), start=1):
            if message.strip():
                yield SourceRecord(f"{name}#{number}", message.strip())
    else:
        # JSON Lines stream line by line: replay files can be larger than memory.
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield _unwrap(SourceRecord(f"{name}:{number}", line.rstrip(b"\r\n")))


def _unwrap(record: SourceRecord) -> SourceRecord:
    if not record.raw.startswith(ENVELOPE_PREFIX):
        return record
    try:
        doc = orjson.loads(record.raw)
        return SourceRecord(record.origin, doc["message"].encode(), doc["content_type"])
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return record  # let the parser say what is wrong with it


def _peek(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(256))[:256]
    raise TypeError("read_records needs a buffered stream (open files in binary mode)")


def screen_records(
    records: Iterable[SourceRecord],
    ctx: ScreeningContext,
    clock: datetime | None,
    max_bytes: int,
    xsd_dir: Path | None = None,
) -> Iterator[Screened | Rejected]:
    """Decode and screen each record in order, with fresh window state held in memory.

    `clock` None means: stamp decisions with the payment's own created_at (byte-stable output).
    """
    windows: dict[str, DebtorWindow] = {}
    for record in records:
        outcome = decode_payments(record.raw, record.content_type, max_bytes, xsd_dir)
        if isinstance(outcome, Rejection):
            yield Rejected(record, outcome)
            continue
        for payment in outcome:
            at = clock or payment.created_at
            key = debtor_key(payment)
            window, decision = screen_with_window(payment, ctx, at, windows.get(key))
            if window is not None:
                windows[key] = window
            yield Screened(payment, decision, alerts_for(payment, decision, at))
