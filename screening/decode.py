"""Decode one raw record into a canonical payment, or say precisely why not. No Kafka here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from rules.windows import debtor_key
from schemas.parsers import ParseError, parse_messages
from schemas.payment import Payment
from screening.deadletter import Rejection

CONTENT_TYPE_HEADERS = ("content-type", "content_type", "Content-Type")


def content_type_of(headers: Sequence[tuple[str, bytes]] | dict[str, bytes] | None) -> str | None:
    """The record's declared format, if the producer set a content-type header."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    for key, value in items:
        if key in CONTENT_TYPE_HEADERS and value:
            return value.decode("ascii", "replace")
    return None


def decode_payments(
    raw: bytes | None, content_type: str | None, max_bytes: int, xsd_dir: Path | None = None
) -> list[Payment] | Rejection:
    """Parse `raw` (JSON, ISO 20022 XML or SWIFT MT; one message or a batch) into payments,
    or return a Rejection that says precisely why not."""
    if raw is None or len(raw) == 0:
        return Rejection("empty", "record has no value")
    if len(raw) > max_bytes:
        return Rejection("too-large", f"record is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        return parse_messages(raw, content_type, max_bytes=max_bytes, xsd_dir=xsd_dir)
    except ParseError as exc:
        return Rejection(exc.reason, exc.detail)
    except Exception as exc:  # a parser bug must not stop the worker; the record is kept
        return Rejection("internal-error", f"{type(exc).__name__}: {exc}")


def implausible_time(
    payments: list[Payment], now: datetime, max_future: timedelta, earliest: datetime
) -> Rejection | None:
    """A live feed's event times must be plausible: a created_at far in the future would hold
    a debtor's window open and an ancient one is a broken clock or a replayed file sent to the
    live topic (use `dinarwatch replay` for history). The whole record is rejected."""
    for payment in payments:
        if payment.created_at > now + max_future:
            return Rejection(
                "future-timestamp",
                f"payment {payment.payment_id}: created_at {payment.created_at.isoformat()} is "
                f"more than {max_future} ahead of the worker's clock {now.isoformat()}",
            )
        if payment.created_at < earliest:
            return Rejection(
                "ancient-timestamp",
                f"payment {payment.payment_id}: created_at {payment.created_at.isoformat()} is "
                f"before {earliest.isoformat()}",
            )
    return None


def partition_key(payment: Payment) -> bytes:
    """payments.valid is keyed by debtor so one debtor's payments meet in one partition
    (the windowed rules keep their state per debtor, co-partitioned with this topic)."""
    return debtor_key(payment).encode()
