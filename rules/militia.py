"""MILITIA-FRONT: a party or agent matches a listed Iran-aligned militia, front or facilitator.

The built-in militia-fronts list holds Kata'ib Hizballah, Asa'ib Ahl al-Haq, Harakat al-Nujaba,
Kata'ib Sayyid al-Shuhada, their front companies and facilitators (Al-Bilad Islamic Bank, Fly
Baghdad, Hamad al-Moussawi), with Arabic-script names, so it works without the OFAC files. Agents
are screened too (by BIC and name): Al-Bilad Islamic Bank appears in a payment as a bank, not as
a customer. Free text is screened as well: a payment "on behalf of" a militia names it in the
remittance information, a "c/o" names it in an address line. Designation dates are respected: a
payment value-dated before an entry's listed_from passes this rule (replay's retro mode reports
it later). Every currency is in scope by default: terrorist financing is not a dollar-only
concern.
"""

from __future__ import annotations

from rules.context import ScreeningContext
from rules.listmatch import ListMatch, check_list_rule, how_matched
from rules.lists.builtin import MILITIA_LIST
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "MILITIA-FRONT"


def check_militia_front(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every party, agent or text that names a listed militia, front or facilitator."""
    return check_list_rule(RULE_ID, MILITIA_LIST, payment, ctx, _explain)


def _explain(match: ListMatch, payment: Payment) -> str:
    entry = match.entry
    return (
        f"{match.subject.field}: {how_matched(match)} for {entry.primary_name} "
        f"({entry.kind}), designated since {entry.listed_from or 'before records'}: "
        f"{entry.legal_source}."
    )
