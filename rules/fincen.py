"""FINCEN-311: a US-dollar payment passes through a bank under a FinCEN section 311 special measure.

Modelled as its own rule rather than folded into CBI-USD-BAN because the legal basis, the date and
the audience differ: the CBI's ban is an Iraqi measure from 2024-02-04; the 311 special measure on
Al-Huda Bank is a US rule (effective 2024-08-02) that forbids US banks to keep correspondent
accounts for it, so any USD payment via it must stop whatever the CBI says. Both findings on one
payment are correct and each carries its own source. Currency scope comes from the entry
(currency_scope USD) and can be narrowed further by the pack.
"""

from __future__ import annotations

from rules.context import ScreeningContext
from rules.listmatch import ListMatch, check_list_rule, how_matched
from rules.lists.builtin import FINCEN_311_LIST
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "FINCEN-311"


def check_fincen_311(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every agent or party that is a 311-designated institution, as of value date."""
    return check_list_rule(RULE_ID, FINCEN_311_LIST, payment, ctx, _explain)


def _explain(match: ListMatch, payment: Payment) -> str:
    entry = match.entry
    return (
        f"{match.subject.field}: {how_matched(match)} for {entry.primary_name}, subject to a "
        f"FinCEN section 311 special measure in force since {entry.listed_from}: no US "
        f"correspondent account may serve it, so this {payment.currency} payment value-dated "
        f"{payment.value_date} cannot be processed."
    )
