"""Screening without Kafka: the same decode and screening service (screening/service.py) the
worker runs, over files.

Used by `dinarwatch screen` (and by replay): read records, decode, screen in order, emit one
decision per payment; rejected records are reported with their line number and reason.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import orjson

from infra.errors import InputError
from rules.context import ScreeningContext
from screening.deadletter import Rejection
from screening.decode import decode_payments
from screening.service import DictWindows, Screened, screen_one


@dataclass(frozen=True)
class SourceRecord:
    """One input record, where it came from (for error messages) and its declared format."""

    origin: str
    raw: bytes
    content_type: str | None = None


ENVELOPE_PREFIX = b'{"content_type":'
"""JSON Lines files written by `generate --out` wrap XML/MT messages in an envelope."""


@dataclass(frozen=True)
class Rejected:
    record: SourceRecord
    rejection: Rejection


def open_binary(path: Path) -> IO[bytes]:
    """An input file for reading (gunzipped if named .gz); InputError when it cannot be."""
    if path.is_dir():
        raise InputError(f"{path} is a folder: give a file (`dinarwatch replay` reads folders)")
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: {_reason(exc)}: check the path") from None
    if path.suffix != ".gz":
        return raw
    return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    return (exc.strerror or type(exc).__name__).lower()


READ_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error, OSError)


def input_error(name: str, exc: BaseException, records: int) -> InputError:
    """A file that stopped being readable part way (bad or truncated gzip, I/O error)."""
    after = f" after {records:,} record(s)" if records else ""
    if isinstance(exc, gzip.BadGzipFile):
        what = "is not gzip data (rename it without .gz, or compress it)"
    elif isinstance(exc, EOFError):
        what = f"is truncated: the compressed data ends early{after} (copy the file again)"
    elif isinstance(exc, zlib.error):
        what = f"is corrupt gzip data{after} ({exc})"
    else:
        what = (
            f"cannot be read{after} ({_reason(exc)}): "  # type: ignore[arg-type]
            "check the file, its permissions and the disk"
        )
    return InputError(f"{name} {what}")


def read_records(stream: IO[bytes], name: str) -> Iterator[SourceRecord]:
    """Records of one input: JSON Lines, one XML message, or SWIFT MT messages split on '$'.

    A blank line is a record with an empty value, as the worker sees an empty Kafka record: it
    is rejected as `empty` and counted, never silently skipped. A file that cannot be read to
    its end (not gzip, truncated, I/O error) raises InputError naming it.
    """
    count = 0
    try:
        for record in _records(stream, name):
            count += 1
            yield record
    except READ_ERRORS as exc:
        raise input_error(name, exc, count) from None


def _records(stream: IO[bytes], name: str) -> Iterator[SourceRecord]:
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
            raw = line.rstrip(b"\r\n")
            yield _unwrap(SourceRecord(f"{name}:{number}", raw if raw.strip() else b""))


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
    windows = DictWindows()
    for record in records:
        outcome = decode_payments(record.raw, record.content_type, max_bytes, xsd_dir)
        if isinstance(outcome, Rejection):
            yield Rejected(record, outcome)
            continue
        for payment in outcome:
            yield screen_one(payment, ctx, clock or payment.created_at, windows)
