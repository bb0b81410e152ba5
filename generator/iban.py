"""Valid-checksum IBANs for synthetic accounts (ISO 13616 mod-97)."""

from __future__ import annotations

import random

# Characters after the 4-character prefix: IQ is 4-letter bank code + 3-digit branch + 12 digits.
_BBAN_LENGTH = {
    "IQ": (4, 15),
    "AE": (0, 19),
    "TR": (0, 22),
    "JO": (4, 22),
    "DE": (0, 18),
    "NL": (4, 10),
    "IT": (1, 22),
    "SE": (0, 20),
    "GB": (4, 14),
    "LB": (0, 24),
    "IR": (0, 22),
}


def _check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def make_iban(rng: random.Random, country: str, bank_code: str = "") -> str | None:
    """An IBAN for `country` (None where the country has no IBAN, e.g. CN)."""
    spec = _BBAN_LENGTH.get(country)
    if spec is None:
        return None
    letters, digits = spec
    if country == "IR":
        # IRkk + 22 digits, the first three the bank's clearing code at the Central Bank of Iran.
        code = bank_code if bank_code.isdigit() and len(bank_code) == 3 else ""
        rest = "".join(rng.choice("0123456789") for _ in range(digits - len(code)))
        return _with_check(country, code + rest)
    code = (bank_code or "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)))[
        :letters
    ]
    bban = code + "".join(rng.choice("0123456789") for _ in range(digits))
    return _with_check(country, bban)


def _with_check(country: str, bban: str) -> str:
    return f"{country}{_check_digits(country, bban)}{bban}"
