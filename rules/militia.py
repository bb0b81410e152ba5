"""MILITIA-FRONT: a party or agent matches a listed Iran-aligned militia, front or facilitator.

The built-in militia-fronts list holds Kata'ib Hizballah, Asa'ib Ahl al-Haq, Harakat al-Nujaba,
Kata'ib Sayyid al-Shuhada, their front companies and facilitators (Al-Bilad Islamic Bank, Fly
Baghdad, Hamad al-Moussawi), with Arabic-script names, so it works without the OFAC files. Agents
are screened too (by BIC and name): Al-Bilad Islamic Bank appears in a payment as a bank, not as
a customer. Designation dates are respected: a payment value-dated before an entry's listed_from
passes this rule (replay's retro mode reports it later). Every currency is in scope by default:
terrorist financing is not a dollar-only concern.
"""

from __future__ import annotations

from rules.context import ScreeningContext, in_force, mark_retro
from rules.lists.builtin import MILITIA_LIST
from rules.sdn import (
    designation_finding,
    extra,
    how_matched,
    in_currency_scope,
    list_matches,
    subjects,
    threshold,
)
from schemas.decision import Finding
from schemas.payment import Payment

RULE_ID = "MILITIA-FRONT"


def check_militia_front(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every party or agent that is a listed militia, front or facilitator."""
    settings = ctx.pack.settings(RULE_ID)
    index = ctx.index(str(extra(settings, "list", MILITIA_LIST))) if settings else None
    if settings is None or index is None or not in_currency_scope(settings, payment):
        return []
    screen_agents = bool(extra(settings, "screen_agents", True))
    people = subjects(payment, agents=screen_agents)
    findings = []
    for match in list_matches(index, people, threshold(settings, ctx)):
        entry = match.entry
        if not in_force(entry, ctx, payment) or not entry.covers_currency(payment.currency):
            continue
        explanation = (
            f"{match.subject.field}: {how_matched(match)} for {entry.primary_name} "
            f"({entry.kind}), designated since {entry.listed_from or 'before records'}: "
            f"{entry.legal_source}."
        )
        found = designation_finding(RULE_ID, settings, index, match, explanation)
        findings.append(mark_retro(found, payment))
    return findings
