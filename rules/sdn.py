"""OFAC-SDN (and UN-SANCTIONS): a party or agent matches a designation list by BIC or by name.

Also home of the small toolkit the other list rules (MILITIA-FRONT, FINCEN-311) share: who in a
payment is screened (`subjects`), how a list is searched for them (`list_matches`) and how a
match becomes a Finding with its full evidence (`designation_finding`). One place, so that every
list rule cites field, entry, list version, legal source, listed_from, score and method alike.

OFAC-SDN specifics: the pack chooses the programs screened (`programs`, fnmatch patterns, empty
means every program) and which programs make a match critical (`critical_programs`, by default
the Iran-related IRAN*, IFSR, IRGC, NPWMD). Vessel and aircraft entries are not matched against
party names here: a ship called "ALPHA" is no reason to block a company of that name; OIL-VESSEL
handles vessels with its own context rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from rules.context import ListIndex, ScreeningContext, in_force, mark_retro
from rules.lists.ofac import SDN_LIST
from rules.lists.un import UN_LIST
from rules.matching import matcher_evidence
from rules.pack import RuleSettings
from schemas.common import Action, Severity
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

RULE_ID = "OFAC-SDN"
UN_RULE_ID = "UN-SANCTIONS"
DEFAULT_CRITICAL_PROGRAMS = ("IRAN", "IRAN-*", "IFSR", "IRGC", "NPWMD")
DEFAULT_SKIP_KINDS = ("vessel", "aircraft")


# --- settings helpers (the pack's rule-specific fields are untyped extras) --------------------


def extra(settings: RuleSettings, key: str, default: Any) -> Any:
    """A rule-specific setting from the pack, or `default` when the pack leaves it out."""
    return (settings.model_extra or {}).get(key, default)


def extra_strings(settings: RuleSettings, key: str, default: Sequence[str] = ()) -> list[str]:
    return [str(v) for v in extra(settings, key, default) or ()]


def threshold(settings: RuleSettings, ctx: ScreeningContext) -> float:
    """The rule's own name-score threshold, else the pack-wide one."""
    return float(extra(settings, "score_threshold", ctx.pack.name_match_threshold))


def in_currency_scope(settings: RuleSettings, payment: Payment) -> bool:
    return not settings.currencies or payment.currency in settings.currencies


# --- who is screened --------------------------------------------------------------------------


class Subject(NamedTuple):
    """A party or agent of the payment, with the field it sits in (for evidence)."""

    field: str
    name: str | None
    bic: str | None
    is_agent: bool


def subjects(payment: Payment, *, agents: bool = True, parties: bool = True) -> list[Subject]:
    """The payment's agents (whole chain) and parties (incl. ultimate parties), in field order.

    Built afresh on each call: a handful of small objects, cheaper than any cache would be
    worth, and the core keeps no state between payments.
    """
    found: list[Subject] = []
    if agents:
        found += [Subject(f, a.name, a.bic, True) for f, a in payment.agent_chain()]
    if parties:
        found += [Subject(f, p.name, p.bic, False) for f, p in payment.parties()]
    return found


# --- how a list is searched -------------------------------------------------------------------


class ListMatch(NamedTuple):
    """One subject matched to one list entry."""

    subject: Subject
    entry: ListEntry
    method: str
    matched: str
    listed_as: str
    score: float


def list_matches(
    index: ListIndex,
    people: Iterable[Subject],
    name_threshold: float,
    skip_kinds: Sequence[str] = (),
) -> list[ListMatch]:
    """Best match per (field, entry): BIC (first 8 characters) beats name; sorted for stability.

    Agents are matched against institutions only, never against individuals.
    """
    best: dict[tuple[str, str], ListMatch] = {}
    for match in _raw_matches(index, people, name_threshold):
        if match.entry.kind in skip_kinds:
            continue
        if match.subject.is_agent and match.entry.kind == "individual":
            # Agents are banks: a bank named after a common given name is not that person.
            continue
        key = (match.subject.field, match.entry.entry_id)
        if key not in best or _rank(match) > _rank(best[key]):
            best[key] = match
    return sorted(best.values(), key=lambda m: (m.subject.field, m.entry.entry_id))


def _raw_matches(
    index: ListIndex, people: Iterable[Subject], name_threshold: float
) -> Iterator[ListMatch]:
    for who in people:
        if who.bic:
            for entry in index.by_bic8.get(who.bic[:8].upper(), ()):
                yield ListMatch(who, entry, "bic", who.bic, who.bic, 1.0)
        if who.name:
            for hit in index.names.search(who.name, name_threshold):
                yield ListMatch(who, hit.entry, "name", who.name, hit.alias, hit.score)


def _rank(match: ListMatch) -> tuple[float, int]:
    return (match.score, 1 if match.method == "bic" else 0)


# --- how a match becomes a finding ------------------------------------------------------------


def designation_finding(
    rule: str,
    settings: RuleSettings,
    index: ListIndex,
    match: ListMatch,
    explanation: str,
    severity: Severity | None = None,
    action: Action | None = None,
) -> Finding:
    """A Finding that carries the whole evidence of a list match."""
    entry = match.entry
    return Finding(
        rule=rule,
        action=action or settings.action,
        severity=severity or settings.severity,
        field=match.subject.field,
        matched=match.matched,
        entry_id=entry.entry_id,
        entry_name=entry.primary_name,
        list_name=index.reference.name,
        list_version=index.reference.version,
        legal_source=entry.legal_source,
        listed_from=entry.listed_from,
        score=match.score,
        match_method=match.method,
        explanation=explanation,
        evidence=_evidence(entry, match),
    )


def _evidence(entry: ListEntry, match: ListMatch) -> dict[str, str]:
    evidence = {"listed_as": match.listed_as, "kind": entry.kind, **matcher_evidence(match.method)}
    if entry.programs:
        evidence["programs"] = "/".join(entry.programs)
    if entry.date_confidence:
        evidence["date_confidence"] = entry.date_confidence
    if entry.remarks and len(entry.remarks) <= 500:
        evidence["list_remarks"] = entry.remarks
    return evidence


def how_matched(match: ListMatch) -> str:
    """`BIC X is listed` / `name "X" matches "Y" (score 0.93)`: the words of an explanation."""
    if match.method == "bic":
        return f"BIC {match.matched} is listed"
    return f'name "{match.matched}" matches "{match.listed_as}" (score {match.score:.2f})'


def matches_any(values: Iterable[str], patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(value, pattern) for value in values for pattern in patterns)


# --- the rules --------------------------------------------------------------------------------


def check_ofac_sdn(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every party or agent on the SDN list, in the configured programs."""
    return _check_sanctions_list(RULE_ID, SDN_LIST, "OFAC SDN", payment, ctx)


def check_un_sanctions(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """The same screening against the UN Security Council consolidated list, when loaded."""
    return _check_sanctions_list(UN_RULE_ID, UN_LIST, "UN Security Council", payment, ctx)


def _check_sanctions_list(
    rule: str, list_name: str, label: str, payment: Payment, ctx: ScreeningContext
) -> list[Finding]:
    settings = ctx.pack.settings(rule)
    index = ctx.index(extra(settings, "list", list_name)) if settings else None
    if settings is None or index is None or not in_currency_scope(settings, payment):
        return []
    programs = extra_strings(settings, "programs")
    critical = extra_strings(settings, "critical_programs", DEFAULT_CRITICAL_PROGRAMS)
    skip = extra_strings(settings, "skip_kinds", DEFAULT_SKIP_KINDS)
    findings = []
    for match in list_matches(index, subjects(payment), threshold(settings, ctx), skip):
        entry = match.entry
        if not in_force(entry, ctx, payment) or not entry.covers_currency(payment.currency):
            continue
        if programs and not matches_any(entry.programs, programs):
            continue
        severity = Severity.CRITICAL if matches_any(entry.programs, critical) else None
        action = _action(settings, match)
        explanation = (
            f"{match.subject.field}: {how_matched(match)} for {entry.primary_name}, on the "
            f"{label} list (programs {'/'.join(entry.programs) or 'none given'}; "
            f"{index.reference.name} version {index.reference.version})"
            + (
                f"; a name-only match on an individual is a {action.value}: confirm identity"
                if action != settings.action
                else ""
            )
            + "."
        )
        found = designation_finding(rule, settings, index, match, explanation, severity, action)
        findings.append(mark_retro(found, payment))
    return findings


def _action(settings: RuleSettings, match: ListMatch) -> Action:
    """Name-only hits on individuals take `individual_name_action` (a person's name is shared by
    many people; confirming identity needs a human), everything else the rule's action."""
    if match.method == "name" and match.entry.kind == "individual":
        return Action(str(extra(settings, "individual_name_action", settings.action)))
    return settings.action
