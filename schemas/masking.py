"""Account masking: full account numbers never leave the decisions topic.

Pure and shared: the windowed rules mask the debtor in their findings, alerts mask accounts.
"""

from __future__ import annotations


def mask_account(account: str | None) -> str | None:
    """Keep the country/check digits of an IBAN and the last four characters.

    "IQ20RAFB00100000000001" -> "IQ20**************0001"; short values are masked whole but for
    their last two characters, so a masked value can still be told apart from another.
    """
    if not account:
        return account
    compact = account.replace(" ", "")
    if len(compact) <= 6:
        return "*" * (len(compact) - 2) + compact[-2:]
    head = compact[:4] if compact[:2].isalpha() and compact[2:4].isdigit() else ""
    return head + "*" * (len(compact) - len(head) - 4) + compact[-4:]
