"""Helpers the list loaders share: BIC, IMO, the IBAN bank codes a BIC implies, and which
names are written in a non-Latin script."""

from __future__ import annotations

import re
from collections.abc import Iterable

BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
IMO = re.compile(r"\b(?:IMO\s*)?(\d{7})\b")
BIC_IN_TEXT = re.compile(
    r"\b(?:SWIFT(?:/BIC)?|BIC)(?:\s+code)?[:\s]+([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b"
)
# Blocks of non-Latin scripts: Greek and Cyrillic to Ethiopic and beyond, CJK, Hangul, and the
# Arabic presentation forms (punctuation such as curly quotes lies outside these ranges).
_NON_LATIN = re.compile("[\u0370-\u1dff\u2c00-\u2dff\u2e80-\ud7ff\uf900-\ufdff\ufe70-\ufeff]")
# Countries whose IBAN carries the bank's BIC prefix as its bank code (IQkk + BIC[:4] + ...).
_BIC_PREFIX_IBANS = frozenset({"IQ"})


def bics(values: Iterable[str]) -> list[str]:
    """The well-formed BICs among `values` (upper-cased, spaces removed), without repeats."""
    cleaned = (v.replace(" ", "").upper() for v in values)
    return list(dict.fromkeys(v for v in cleaned if BIC.match(v)))


def imo_numbers(values: Iterable[str]) -> list[str]:
    """The 7-digit IMO numbers written in `values` ("IMO 9187629", "IMO9562233", "9187629")."""
    return list(dict.fromkeys(m.group(1) for v in values if (m := IMO.search(v))))


def iban_bank_codes(bic_list: Iterable[str]) -> list[str]:
    """IBAN bank codes implied by BICs, for countries whose IBAN uses the BIC's first 4 letters."""
    return list(dict.fromkeys(b[:4] for b in bic_list if b[4:6] in _BIC_PREFIX_IBANS))


def non_latin(names: Iterable[str]) -> list[str]:
    """The names written in a non-Latin script (Greek, Cyrillic, Hebrew, Arabic, CJK, ...)."""
    return [n for n in names if _NON_LATIN.search(n)]
