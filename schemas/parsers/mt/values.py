"""Field values that are not parties: dates, currencies and amounts (32A, 33B), narrative (70)."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import NamedTuple

from schemas.parsers.errors import ParseError
from schemas.parsers.mt.fields import LINE, MtField

_AMOUNT_32 = re.compile(r"^(\d{6})([A-Za-z]{3})(\d{1,15},\d{0,})$")
_AMOUNT_33 = re.compile(r"^([A-Za-z]{3})(\d{1,15},\d{0,})$")


class ValueDated(NamedTuple):
    """Field 32A: value date, currency and interbank settled amount."""

    value_date: date
    currency: str
    amount: str
    """A decimal string with a point ('1814.28'); the model makes the Decimal."""


class Instructed(NamedTuple):
    """Field 33B: the currency and amount the ordering customer instructed."""

    currency: str
    amount: str


class Narrative(NamedTuple):
    """Field 70: a leading '/ROC/' reference (the end-to-end id) and the remittance text."""

    reference: str | None
    remittance: str | None


def yymmdd(value: str, where: str) -> date:
    """SWIFT YYMMDD; years 00-79 are 20YY and 80-99 are 19YY (the usual FIN convention)."""
    try:
        yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:6])
        return date(2000 + yy if yy < 80 else 1900 + yy, mm, dd)
    except ValueError:
        raise ParseError("mt-field", f"{where}: invalid date {value!r}") from None


def _decimal_text(value: str) -> str:
    """'1814,28' -> '1814.28', '19999,' -> '19999' (the model makes the Decimal)."""
    whole, _, cents = value.partition(",")
    return f"{whole}.{cents}" if cents else whole


def _currency(code: str, fld: MtField, warnings: list[str]) -> str:
    if not code.isupper():
        warnings.append(f"{fld.where()}: currency {code!r} in lower case")
    return code.upper()


def value_dated(fld: MtField, warnings: list[str]) -> ValueDated:
    match = _AMOUNT_32.match(fld.value.strip())
    if match is None:
        raise ParseError("mt-field", f"{fld.where()}: expected YYMMDD + currency + amount")
    value_date = yymmdd(match.group(1), fld.where())
    currency = _currency(match.group(2), fld, warnings)
    return ValueDated(value_date, currency, _decimal_text(match.group(3)))


def instructed(fld: MtField | None, warnings: list[str]) -> Instructed | None:
    if fld is None:
        return None
    match = _AMOUNT_33.match(fld.value.strip())
    if match is None:
        raise ParseError("mt-field", f"{fld.where()}: expected currency + amount")
    return Instructed(_currency(match.group(1), fld, warnings), _decimal_text(match.group(2)))


def narrative(fld: MtField | None) -> Narrative:
    """Field 70 -> (end-to-end reference from a leading '/ROC/' line, remittance text).

    The lines are hard-wrapped at 35 columns: a full line continues into the next without a
    space, a shorter one ends a phrase (joined with a space).
    """
    if fld is None:
        return Narrative(None, None)
    lines = fld.value.split("\n")
    roc = None
    if lines[0].startswith("/ROC/"):
        roc, lines = lines[0][5:].strip() or None, lines[1:]
    if not lines:
        return Narrative(roc, None)
    out = lines[0]
    for previous, line in itertools.pairwise(lines):
        out += line if len(previous) >= LINE else " " + line
    return Narrative(roc, out.strip() or None)
