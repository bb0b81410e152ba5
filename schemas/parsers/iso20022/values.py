"""Values that are not parties: ISO dates and date-times, remittance text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import NamedTuple

from schemas.parsers.errors import ParseError
from schemas.parsers.iso20022.lookup import qualified, texts
from schemas.parsers.iso20022.safe_xml import Element

_FRACTION = re.compile(r"(\.\d{6})\d+")


class Amount(NamedTuple):
    """An amount as written (the model makes the Decimal) and its currency attribute."""

    amount: str
    currency: str | None


def amount(el: Element) -> Amount | None:
    """An ActiveCurrencyAndAmount element ('<InstdAmt Ccy="USD">9500.00</InstdAmt>')."""
    if el is None:
        return None
    return Amount((el.text or "").strip(), el.get("Ccy"))


def date_time(value: str | None, where: str) -> tuple[datetime | None, bool]:
    """ISO date-time -> aware datetime, and whether a local time without offset was read as
    UTC (flagged in the payment, since the sender's offset is then unknown)."""
    if value is None:
        return None, False
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        raise ParseError("payment-invalid", f"{where}: not an ISO date-time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), True
    try:  # the model stores UTC: '9999-12-31T23:00:00-05:00' has no UTC datetime
        parsed.astimezone(UTC)
    except OverflowError:
        raise ParseError(
            "payment-invalid", f"{where}: {value!r} is outside the years 1-9999 in UTC"
        ) from None
    return parsed, False


def iso_date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ParseError("payment-invalid", f"{where}: not an ISO date: {value!r}") from None


def remittance(el: Element, ns: str) -> str | None:
    """Unstructured lines plus the text of structured remittance (references, notes)."""
    if el is None:
        return None
    parts = texts(el, ns, "Ustrd")
    for strd in el.findall(qualified(ns, "Strd")):
        parts += [str(t).strip() for t in strd.itertext() if str(t).strip()]
    return " ".join(parts) or None
