"""Turn raw payment messages (canonical JSON, ISO 20022 pacs.008/pacs.009, SWIFT MT103/MT202/
MT202COV) into the canonical Payment.

`parse_message` is the one entry point for a single payment; `parse_messages` also accepts
batches (several CdtTrfTxInf, RJE files with several FIN messages). Both are pure (the only I/O
is reading the XSD files once) and raise nothing but ParseError, whatever the bytes: the ingest
agent dead-letters on ParseError and must never crash on a hostile or broken message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
from pydantic import ValidationError

from schemas.parsers.detect import detect_format, strip_bom_and_space
from schemas.parsers.errors import (
    REASONS,
    ParseError,
    check_amount,
    decode_utf8,
    describe_validation_error,
)
from schemas.parsers.iso20022 import DEFAULT_XSD_DIR, parse_iso20022, parse_iso20022_all
from schemas.parsers.mt import parse_mt, parse_mt_all
from schemas.payment import MessageType, Payment

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_XSD_DIR",
    "REASONS",
    "ParseError",
    "detect_format",
    "parse_json",
    "parse_message",
    "parse_messages",
]

DEFAULT_MAX_BYTES = 1_048_576
_XML = (MessageType.PACS008, MessageType.PACS009)


_UTC_RANGE = "created_at: its UTC instant is outside the years 1-9999"


def parse_json(raw: bytes) -> Payment:
    """A canonical payment as JSON; pydantic errors become ParseError('json-schema')."""
    try:
        # model_validate_json without its keyword handling (a microsecond of every payment)
        payment: Payment = Payment.__pydantic_validator__.validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ParseError("json-invalid", describe_validation_error(exc)) from None
        raise ParseError("json-schema", describe_validation_error(exc)) from None
    except OverflowError:  # the UTC conversion ('9999-12-31T23:00:00-05:00') is no ValueError
        raise ParseError("json-schema", _UTC_RANGE) from None
    check_amount(payment, "json-schema")
    return payment


def _parse_json_batch(raw: bytes) -> list[Payment]:
    """A JSON array of payments, or one payment."""
    if not raw.startswith(b"["):
        return [parse_json(raw)]
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ParseError("json-invalid", str(exc)) from None
    if not items:  # no payment and no rejection would let the record vanish unscreened
        raise ParseError("json-schema", "an empty array: no payment to screen")
    payments = []
    for index, item in enumerate(items):
        try:
            payment = Payment.model_validate(item)
        except ValidationError as exc:
            raise ParseError("json-schema", f"[{index}] {describe_validation_error(exc)}") from None
        except OverflowError:
            raise ParseError("json-schema", f"[{index}] {_UTC_RANGE}") from None
        try:
            check_amount(payment, "json-schema")
        except ParseError as exc:
            raise ParseError(exc.reason, f"[{index}] {exc.detail}") from None
        payments.append(payment)
    return payments


_PADDING = b"\x00\x1a \t\r\n"
_PADDING_NOTE = "trailing NUL/0x1A padding after the message removed"


def _strip_padding(body: bytes) -> tuple[bytes, list[str]]:
    """File transfers and queues pad a message with NULs or end it with 0x1A (DOS end of file):
    not part of any format, so cut and noted rather than dead-lettered."""
    trimmed = body.rstrip(_PADDING)
    if not trimmed:
        raise ParseError("empty", "nothing but NUL/0x1A padding")
    if body[len(trimmed) :].strip(b" \t\r\n"):
        return trimmed, [_PADDING_NOTE]
    return body, []


def _noted(payments: list[Payment], warnings: list[str]) -> list[Payment]:
    if not warnings:
        return payments
    return [
        p.model_copy(update={"parse_warnings": [*warnings, *p.parse_warnings]}) for p in payments
    ]


def _check_size(raw: bytes, max_bytes: int) -> bytes:
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ParseError("unknown-format", f"expected bytes, got {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise ParseError("too-large", f"{len(raw)} bytes > limit {max_bytes}")
    body = strip_bom_and_space(bytes(raw))
    if not body:
        raise ParseError("empty", "no content")
    decode_utf8(body)
    return body


def _dispatch_one(body: bytes, kind: MessageType, xsd_dir: Path | None) -> list[Payment]:
    if kind == MessageType.JSON:
        return [parse_json(body)]
    if kind in _XML:
        return [parse_iso20022(body, xsd_dir=xsd_dir)]
    return [parse_mt(body)]


def _dispatch_all(body: bytes, kind: MessageType, xsd_dir: Path | None) -> list[Payment]:
    if kind == MessageType.JSON:
        return _parse_json_batch(body)
    if kind in _XML:
        return parse_iso20022_all(body, xsd_dir=xsd_dir)
    return parse_mt_all(body)


def _read(
    raw: bytes,
    content_type: str | None,
    max_bytes: int,
    xsd_dir: Path | None,
    dispatch: Callable[[bytes, MessageType, Path | None], list[Payment]],
) -> list[Payment]:
    """Size, padding, encoding and format checks, then the format's parser; ParseError only."""
    try:
        body, warnings = _strip_padding(_check_size(raw, max_bytes))
        return _noted(dispatch(body, detect_format(body, content_type), xsd_dir), warnings)
    except ParseError:
        raise
    except Exception as exc:  # the contract is "only ParseError": a bug or a library surprise
        # must still dead-letter the message, not kill the worker
        detail = f"parser failure {type(exc).__name__}: {str(exc)[:200]}"
        raise ParseError("internal-error", detail) from exc


def parse_message(
    raw: bytes,
    content_type: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    xsd_dir: Path | None = None,
) -> Payment:
    """Parse one payment message of any supported format into the canonical Payment.

    `content_type` (a Content-Type header) wins over sniffing; `max_bytes` is enforced before
    any parsing; `xsd_dir` overrides where the ISO 20022 XSDs are read (default DEFAULT_XSD_DIR).
    Raises ParseError (and nothing else) when the message is not exactly one valid payment.
    """
    return _read(raw, content_type, max_bytes, xsd_dir, _dispatch_one)[0]


def parse_messages(
    raw: bytes,
    content_type: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    xsd_dir: Path | None = None,
) -> list[Payment]:
    """Like parse_message, but a batch (several transactions or FIN messages) gives a list."""
    return _read(raw, content_type, max_bytes, xsd_dir, _dispatch_all)
