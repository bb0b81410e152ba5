"""The one exception every parser raises, and the bridge from pydantic errors to it.

Callers (the ingest agent, replay, screen) dead-letter a message on ParseError and count it by
`reason`, so the reason is a short stable code and the detail says exactly where the message is
wrong (schema path / XPath, or MT field tag and line number) for the person reading the DLQ.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from schemas.payment import Payment

REASONS = frozenset(
    {
        "too-large",
        "empty",
        "not-utf8",
        "unknown-format",
        "json-invalid",
        "json-schema",
        "xml-invalid",
        "xml-forbidden-dtd",
        "xml-schema",
        "xml-unsupported",
        "mt-structure",
        "mt-field",
        "mt-unsupported",
        "multi-transaction",
        "payment-invalid",
        "internal-error",
    }
)
"""Every reason code a parser may raise (also the label values of dead_letters_total)."""


class ParseError(ValueError):
    """A message that cannot become a canonical Payment.

    `reason` is a machine code from REASONS (metrics label, DLQ routing); `detail` is a precise
    human message locating the problem.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        # Keeps the two-argument constructor picklable (multiprocessing, Faust serialisers).
        return (type(self), (self.reason, self.detail))


def describe_validation_error(error: ValidationError, limit: int = 5) -> str:
    """Turn pydantic's error list into '<loc>: <msg>; ...' so the DLQ shows the field path."""
    parts = []
    for item in error.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in item["loc"]) or "<root>"
        parts.append(f"{loc}: {item['msg']}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"(+{more} more)")
    return "; ".join(parts)


def decode_utf8(raw: bytes) -> str:
    """Every supported format is UTF-8 (JSON per RFC 8259, ISO 20022, FIN's ASCII subset)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("not-utf8", f"byte {exc.start}: {exc.reason}") from None


def build_payment(data: Mapping[str, object], reason: str = "payment-invalid") -> Payment:
    """Validate a parser's fields (schemas.parsers.canonical) into a Payment, mapping pydantic
    errors to ParseError. Parsers build plain dicts and validate once at the end: one validation
    pass is faster than constructing nested models, and the error then names the canonical field.
    """
    try:
        payment = Payment.model_validate(data)
    except ValidationError as exc:
        raise ParseError(reason, describe_validation_error(exc)) from None
    check_amount(payment, reason)
    return payment


MAX_AMOUNT_DIGITS = 18
MAX_AMOUNT_FRACTION_DIGITS = 5
"""ISO 20022's ActiveCurrencyAndAmount (totalDigits 18, fractionDigits 5); MT's 15 fit in it."""


def check_amount(payment: Payment, reason: str) -> None:
    """Refuse an amount no payment message can carry.

    Decimal takes any exponent: the 12 bytes '1E+999999999' (or '1E-999999999') are a valid
    positive Decimal whose plain form, which the payment's JSON carries, is a gigabyte; the worker
    aborted serialising it. So the parsers hold every format to the ISO 20022 amount type.
    """
    _, digits, exponent = payment.amount.as_tuple()
    # Every payment: at most 18 digits with 0-5 of them after the point is within both limits
    # whatever the leading and trailing zeros, without spelling the digits out.
    if (
        isinstance(exponent, int)
        and -MAX_AMOUNT_FRACTION_DIGITS <= exponent <= 0
        and len(digits) <= MAX_AMOUNT_DIGITS
    ):
        return
    if not isinstance(exponent, int):  # NaN/Infinity: the model already refuses them
        raise ParseError(reason, f"amount: {str(payment.amount)[:40]} is not a finite number")
    text = "".join(map(str, digits)).lstrip("0")
    significant = text.rstrip("0")
    exponent += len(text) - len(significant)  # trailing zeros add no precision
    fraction = max(0, -exponent)
    total = max(0, len(significant) + exponent) + fraction
    if total > MAX_AMOUNT_DIGITS or fraction > MAX_AMOUNT_FRACTION_DIGITS:
        raise ParseError(
            reason,
            f"amount: {str(payment.amount)[:40]} has {total} digits, {fraction} after the point; "
            f"an amount has at most {MAX_AMOUNT_DIGITS}, {MAX_AMOUNT_FRACTION_DIGITS} after it",
        )
