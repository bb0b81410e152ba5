"""EU-SANCTIONS, UK-SANCTIONS, OFAC-NONSDN and OPENSANCTIONS: the other official lists.

Each is the OFAC-SDN rule (rules.sdn.check_sanctions_list: the one search of rules.listmatch,
the same evidence strengths and the same findings) against another list, loaded by `lists
fetch` (rules/lists/sources.py): `eu-fsf`, `uk-sanctions`, `ofac-nonsdn`, `opensanctions`. A
rule whose list is not loaded finds nothing.

What differs is what a listing means. On these lists a program is not always an asset freeze:
OFAC's non-SDN lists are mostly not blocking (the Sectoral Sanctions Identifications list only
bars new debt and equity), a UK designation may be a travel ban only, and an OpenSanctions
entity is as strong as the datasets it comes from (Iraq's own freeze list `iq_aml_list`, or an
enrichment source). So the pack gives each rule `program_actions` (rules.pack.ProgramAction):
program patterns, optionally phrases the entry's record must say (OFAC writes the directive
that applies in its remarks) and currencies, with the action on strong evidence, the severity
and the program's legal meaning, which the finding's explanation cites. The strongest item that
fits an entry decides; an entry no item fits gets the rule's own action and severity. Weak
evidence (a fuzzy name, a weak alias, a person's name) stays a review whatever the program says.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from rules.context import ScreeningContext
from rules.listmatch import rule_plan
from rules.lists.eu import EU_LIST
from rules.lists.ftm import OPENSANCTIONS_LIST
from rules.lists.sources import NONSDN_LIST
from rules.lists.uk import UK_LIST
from rules.pack import ProgramAction, ProgramSanctionsSettings
from rules.sdn import Verdict, check_sanctions_list, matches_any
from schemas.common import Severity
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

EU_RULE_ID = "EU-SANCTIONS"
UK_RULE_ID = "UK-SANCTIONS"
NONSDN_RULE_ID = "OFAC-NONSDN"
OPENSANCTIONS_RULE_ID = "OPENSANCTIONS"

__all__ = [
    "EU_RULE_ID",
    "NONSDN_RULE_ID",
    "OPENSANCTIONS_RULE_ID",
    "UK_RULE_ID",
    "check_eu_sanctions",
    "check_ofac_nonsdn",
    "check_opensanctions",
    "check_uk_sanctions",
    "program_verdict",
]

_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def check_eu_sanctions(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Parties, agents and text against the EU consolidated financial sanctions list."""
    return _check(EU_RULE_ID, EU_LIST, "EU consolidated financial sanctions", payment, ctx)


def check_uk_sanctions(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """The same against the UK Sanctions List (FCDO)."""
    return _check(UK_RULE_ID, UK_LIST, "UK sanctions", payment, ctx)


def check_ofac_nonsdn(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """The same against OFAC's consolidated non-SDN lists (SSI, NS-MBS, FSE, CAPTA, NS-PLC)."""
    return _check(NONSDN_RULE_ID, NONSDN_LIST, "OFAC consolidated non-SDN", payment, ctx)


def check_opensanctions(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """The same against OpenSanctions entities (with Iraq's AML/CFT Office freeze list)."""
    return _check(OPENSANCTIONS_RULE_ID, OPENSANCTIONS_LIST, "OpenSanctions", payment, ctx)


def _check(
    rule: str, list_name: str, label: str, payment: Payment, ctx: ScreeningContext
) -> list[Finding]:
    plan = rule_plan(ctx, rule, list_name, ProgramSanctionsSettings)
    if plan is None:
        return []
    actions = plan.settings.program_actions
    judge = partial(program_verdict, actions) if actions else None
    return check_sanctions_list(rule, list_name, label, payment, ctx, judge)


def program_verdict(
    actions: Sequence[ProgramAction], entry: ListEntry, payment: Payment
) -> Verdict | None:
    """The strongest item of `actions` that fits `entry` and `payment`, as (action, severity,
    "PROGRAMS: meaning"); None when no item fits (the rule's own action applies)."""
    best: tuple[tuple[int, int], ProgramAction, list[str]] | None = None
    for item in actions:
        if item.currencies and payment.currency not in item.currencies:
            continue
        programs = [p for p in entry.programs if matches_any((p,), item.programs)]
        if not programs or not _record_says(entry, item.record_says):
            continue
        rank = (item.action.rank, _SEVERITY_RANK[item.severity])
        if best is None or rank > best[0]:
            best = (rank, item, programs)
    if best is None:
        return None
    _, item, programs = best
    return item.action, item.severity, f"{'/'.join(programs)}: {item.meaning}"


def _record_says(entry: ListEntry, phrases: Sequence[str]) -> bool:
    """Whether the entry's legal source or remarks hold one of `phrases` (none asked: True)."""
    if not phrases:
        return True
    record = f"{entry.legal_source}\n{entry.remarks or ''}".casefold()
    return any(phrase.casefold() in record for phrase in phrases)
