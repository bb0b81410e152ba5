"""Account masking: full account numbers never leave the decisions topic.

Pure and shared: the windowed rules mask the debtor in their findings, alerts mask accounts, the
notifier masks what it renders and the log filter masks every log line.

`mask_account` masks a value known to be an account; `mask_text` finds the account-like tokens
in free text (an explanation, a name that is really an account, a log line) and masks each with
`mask_account`, so a masked account reads the same wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Collection

ACCOUNT_TOKEN = re.compile(
    r"(?<![\w-])(?:"
    # An IBAN: country letters, check digits, 11-30 more characters (IBANs are 15-34 long),
    # compact (either case) or printed in groups of four ("IR06 2960 0000 0010 0324 2000 01").
    r"[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}|[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?"
    # A run of 8+ digits (an account number), but not a decimal amount ("13000000.00").
    r"|(?<!\d\.)\d{8,}(?!\.\d)"
    r")(?![\w-])"
)
"""An IBAN-like token or a long digit run standing alone (not inside a word, an id such as
"SYN-7-00000123", or a hex digest): what `mask_text` masks."""

_HEX = frozenset("0123456789abcdef")


def mask_account(account: str | None) -> str | None:
    """Keep the country/check digits of an IBAN and the last four characters.

    "IQ20RAFB00100000000001" -> "IQ20**************0001"; short values are masked whole but for
    their last two characters, so a masked value can still be told apart from another.
    Idempotent: a masked value masks to itself.
    """
    if not account:
        return account
    compact = account.replace(" ", "")
    if len(compact) <= 6:
        return "*" * (len(compact) - 2) + compact[-2:]
    head = compact[:4] if compact[:2].isalpha() and compact[2:4].isdigit() else ""
    return head + "*" * (len(compact) - len(head) - 4) + compact[-4:]


def account_tokens(text: str) -> list[str]:
    """The tokens of `text` that `mask_text` would mask (e.g. to exempt a payment id's)."""
    found = (m.group() for m in ACCOUNT_TOKEN.finditer(text))
    return [token for token in found if not _is_hex_id(token)]


def mask_text(text: str, keep: Collection[str] = ()) -> str:
    """`text` with every IBAN-like token and long digit run masked by `mask_account`.

    "IBAN IR062960000000100324200001 (Tehran)" -> "IBAN IR06******************0001 (Tehran)".
    Tokens in `keep` stay as they are (a payment reference made of digits is no account).
    Idempotent, and cheap when nothing matches (one scan of a precompiled pattern).
    """
    if not text:
        return text

    def masked(match: re.Match[str]) -> str:
        token = match.group()
        if token in keep or _is_hex_id(token):
            return token
        return mask_account(token) or token

    return ACCOUNT_TOKEN.sub(masked, text)


def _is_hex_id(token: str) -> bool:
    """A 32-character lowercase hex id (an alert id, a dashless UUID) that happens to start like
    an IBAN ("ab12..."): no IBAN is 32 lowercase hex characters long."""
    return len(token) == 32 and _HEX.issuperset(token)
