"""CBI-USD-BAN: a USD payment touches a bank the Central Bank of Iraq barred from USD business.

Checks every agent in the chain and every party (a bank can be a party in a pacs.009 / MT202),
by BIC (8 or 11 characters, compared on the first 8) and by name, as of the payment's value
date. Currency-scoped: the same bank's IQD or EUR business passes. The list search and the
finding's evidence are the shared ones of rules.sdn, as for every list rule.
"""

from __future__ import annotations

from rules.context import ScreeningContext, in_force, mark_retro
from rules.lists.cbi import CBI_LIST
from rules.sdn import (
    designation_finding,
    how_matched,
    in_currency_scope,
    list_matches,
    subjects,
    threshold,
)
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "CBI-USD-BAN"


def check_cbi_usd_ban(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every barred bank in the payment, at most one per (field, entry)."""
    settings = ctx.pack.settings(RULE_ID)
    index = ctx.index(CBI_LIST)
    if settings is None or index is None or not in_currency_scope(settings, payment):
        return []
    findings = []
    for match in list_matches(index, subjects(payment), threshold(settings, ctx)):
        entry = match.entry
        if not in_force(entry, ctx, payment) or not entry.covers_currency(payment.currency):
            continue
        explanation = (
            f"{match.subject.field}: {how_matched(match)} for {entry.primary_name}, barred by "
            f"the CBI from {', '.join(entry.currency_scope) or 'all'} business since "
            f"{entry.listed_from or 'before records'}; payment is {payment.currency} "
            f"value-dated {payment.value_date}."
        )
        found = designation_finding(RULE_ID, settings, index, match, explanation)
        findings.append(mark_retro(found, payment))
    return findings
