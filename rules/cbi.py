"""CBI-USD-BAN: a USD payment touches a bank the Central Bank of Iraq barred from USD business.

Checks every agent in the chain and every party (a bank can be a party in a pacs.009 / MT202),
by BIC (8 or 11 characters, compared on the first 8), by the bank code inside a party's Iraqi
IBAN (the BIC's first four letters), by clearing id and by name, and the free text a payment
carries, as of the payment's value date. Currency-scoped: the same bank's IQD or EUR business
passes. The search and the finding's evidence are rules.listmatch's, as for every list rule.
"""

from __future__ import annotations

from rules.context import ScreeningContext
from rules.listmatch import ListMatch, check_list_rule, how_matched
from rules.lists.cbi import CBI_LIST
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "CBI-USD-BAN"


def check_cbi_usd_ban(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every barred bank in the payment, at most one per (field, entry)."""
    return check_list_rule(RULE_ID, CBI_LIST, payment, ctx, _explain)


def _explain(match: ListMatch, payment: Payment) -> str:
    entry = match.entry
    return (
        f"{match.subject.field}: {how_matched(match)} for {entry.primary_name}, barred by "
        f"the CBI from {', '.join(entry.currency_scope) or 'all'} business since "
        f"{entry.listed_from or 'before records'}; payment is {payment.currency} "
        f"value-dated {payment.value_date}."
    )
