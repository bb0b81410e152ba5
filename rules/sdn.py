"""OFAC-SDN (and UN-SANCTIONS): a party, agent or text of the payment matches a sanctions list.

The search (BIC, IBAN bank code, clearing id, names, continued names, free text) and the action
by evidence strength are rules.listmatch's, shared with every list rule; its names are
re-exported here for the modules that imported them from rules.sdn.

OFAC-SDN specifics: the pack chooses the programs screened (`programs`, fnmatch patterns, empty
means every program) and which programs make a match critical (`critical_programs`, by default
the Iran-related IRAN*, IFSR, IRGC, NPWMD; rules.pack.SanctionsSettings). Vessel and aircraft
entries are not matched against party names here: a ship called "ALPHA" is no reason to block a
company of that name; OIL-VESSEL handles vessels with its own context rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase

from rules.context import ScreeningContext, in_force, mark_retro
from rules.listmatch import (
    ListMatch,
    action_for,
    designation_finding,
    how_matched,
    in_currency_scope,
    list_matches,
    plan_matches,
    rule_plan,
    threshold,
)
from rules.lists.ofac import SDN_LIST
from rules.lists.un import UN_LIST
from rules.mentions import Subject, subjects
from rules.pack import SanctionsSettings
from schemas.common import Action, Severity
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

RULE_ID = "OFAC-SDN"
UN_RULE_ID = "UN-SANCTIONS"

__all__ = [
    "RULE_ID",
    "UN_RULE_ID",
    "ListMatch",
    "Subject",
    "check_ofac_sdn",
    "check_sanctions_list",
    "check_un_sanctions",
    "designation_finding",
    "how_matched",
    "in_currency_scope",
    "list_matches",
    "matches_any",
    "subjects",
    "threshold",
]


def matches_any(values: Iterable[str], patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(value, pattern) for value in values for pattern in patterns)


# --- the rules --------------------------------------------------------------------------------


def check_ofac_sdn(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every party or agent on the SDN list, in the configured programs."""
    return check_sanctions_list(RULE_ID, SDN_LIST, "OFAC SDN", payment, ctx)


def check_un_sanctions(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """The same screening against the UN Security Council consolidated list, when loaded."""
    return check_sanctions_list(UN_RULE_ID, UN_LIST, "UN Security Council", payment, ctx)


Verdict = tuple[Action, Severity, str]
"""What an entry's programs mean for a payment: action on strong evidence, severity, and why."""
Judge = Callable[[ListEntry, Payment], Verdict | None]


def check_sanctions_list(
    rule: str,
    list_name: str,
    label: str,
    payment: Payment,
    ctx: ScreeningContext,
    judge: Judge | None = None,
) -> list[Finding]:
    """One sanctions-list rule. `judge` (rules.more_lists: per-program actions) may give an
    entry its own action and severity; None, or a judge returning None: the rule's."""
    plan = rule_plan(ctx, rule, list_name, SanctionsSettings)
    if plan is None or not in_currency_scope(plan.settings, payment):
        return []
    settings, index = plan.settings, plan.index
    programs, critical = settings.programs, settings.critical_programs
    findings = []
    for match in plan_matches(plan, payment, ctx):
        entry = match.entry
        if not in_force(entry, ctx, payment) or not entry.covers_currency(payment.currency):
            continue
        if programs and not matches_any(entry.programs, programs):
            continue
        severity = Severity.CRITICAL if matches_any(entry.programs, critical) else None
        verdict = judge(entry, payment) if judge is not None else None
        applied = settings
        if verdict is not None:
            applied = settings.model_copy(update={"action": verdict[0]})
            severity = severity or verdict[1]
        action = action_for(applied, match)
        explanation = (
            f"{match.subject.field}: {how_matched(match)} for {entry.primary_name}, on the "
            f"{label} list (programs {'/'.join(entry.programs) or 'none given'}; "
            f"{index.reference.name} version {index.reference.version})"
            + (f"; {verdict[2]}" if verdict is not None else "")
            + (
                f"; {_why_not(match)} is a {action.value}: confirm identity"
                if action != applied.action
                else ""
            )
            + "."
        )
        found = designation_finding(rule, applied, index, match, explanation, severity, action)
        findings.append(mark_retro(found, payment))
    return findings


def _why_not(match: ListMatch) -> str:
    return {
        "person": "a name-only match on an individual",
        "weak-alias": "a match on a weak alias only",
    }.get(match.strength, "a name match short of near-exact")
