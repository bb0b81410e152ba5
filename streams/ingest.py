"""Decode one raw record into a canonical payment, or say precisely why not. No Kafka here."""

from __future__ import annotations

from collections.abc import Sequence

from rules.windows import debtor_key
from schemas.parsers import ParseError, parse_message
from schemas.payment import Payment
from streams.deadletter import Rejection

CONTENT_TYPE_HEADERS = ("content-type", "content_type", "Content-Type")


def content_type_of(headers: Sequence[tuple[str, bytes]] | dict[str, bytes] | None) -> str | None:
    """The record's declared format, if the producer set a content-type header."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    for key, value in items:
        if key in CONTENT_TYPE_HEADERS and value:
            return value.decode("ascii", "replace")
    return None


def decode_payment(
    raw: bytes | None, content_type: str | None, max_bytes: int
) -> Payment | Rejection:
    """Parse `raw` (JSON, ISO 20022 XML or SWIFT MT) into a Payment, or return a Rejection."""
    if raw is None or len(raw) == 0:
        return Rejection("empty", "record has no value")
    if len(raw) > max_bytes:
        return Rejection("too-large", f"record is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        return parse_message(raw, content_type, max_bytes=max_bytes)
    except ParseError as exc:
        return Rejection(exc.reason, exc.detail)
    except Exception as exc:  # a parser bug must not stop the worker; the record is kept
        return Rejection("parser-bug", f"{type(exc).__name__}: {exc}")


def partition_key(payment: Payment) -> bytes:
    """payments.valid is keyed by debtor so one debtor's payments meet in one partition
    (the windowed rules keep their state per debtor, co-partitioned with this topic)."""
    return debtor_key(payment).encode()
