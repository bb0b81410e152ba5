"""OIL-VESSEL: the remittance information or a party's name references a sanctioned vessel.

Vessels are the SDN entries of kind "vessel" (IMO numbers from their remarks, names and former
names from the name and f.k.a. aliases) in the lists the pack names (`lists`, default ofac-sdn).

How a reference is recognised, and why so strictly (vessel names are short and common: ALPHA,
ARK III, SEA STAR, and the rule blocks):
- IMO number labelled as such ("IMO 9187629", "IMO No. 9187629"): matched, score 1.0;
- a bare 7-digit number (not part of a longer number) whose IMO check digit is valid and which is
  a listed vessel's IMO: score 0.95;
- a vessel name preceded (within 3 words) by a vessel word (vessel, MV, M/V, MT, M/T, tanker,
  ship, VLCC): score 0.95 - the only way a one-word name can match;
- a vessel name of two or more words found as an exact phrase: score 0.9.
Names are compared after the project's name normalisation (rules.matching), so case, diacritics,
punctuation and articles do not matter; fuzzy spelling does not count here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rules.context import ScreeningContext, in_force, mark_retro
from rules.listmatch import in_currency_scope
from rules.lists.base import ReferenceList
from rules.matching import matcher_evidence
from rules.matching.normalize import name_tokens
from rules.pack import RuleSettings, VesselSettings
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

RULE_ID = "OIL-VESSEL"
VESSEL_WORDS = frozenset({"vessel", "mv", "mt", "tanker", "ship", "vlcc", "vsl", "motor"})
CONTEXT_WINDOW = 3
# A labelled IMO ("IMO 9187629", "IMO:9187629") or a bare 7-digit number that is not glued to other
# letters or digits (so account numbers and references such as IQ9187629 do not count).
_SEVEN_DIGITS = re.compile(
    r"(?:(?P<label>\bIMO\s*(?:No\.?|Number|#|:)?\s*)|(?<![0-9A-Za-z]))(?P<imo>\d{7})(?![0-9A-Za-z])",
    re.I,
)
_DIGIT_RUN = re.compile(r"\d{7}")
"""What every IMO reference holds: texts without it (most) skip `_SEVEN_DIGITS`'s slower scan."""
_SLASHED = re.compile(r"\bM\s*/\s*([TV])\b", re.I)


def imo_check_digit_ok(number: str) -> bool:
    """IMO ship numbers: the 7th digit is the sum of digits 1-6 weighted 7..2, modulo 10."""
    if len(number) != 7 or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(number[6])


@dataclass(frozen=True)
class VesselIndex:
    """Listed vessels by IMO number and by normalised name phrase."""

    by_imo: dict[str, tuple[ListEntry, ...]]
    by_phrase: dict[tuple[str, ...], tuple[tuple[ListEntry, str], ...]]
    longest: int
    first_words: frozenset[str] = frozenset()
    """The first token of every phrase: most text tokens start none, and are skipped at once."""

    @classmethod
    def build(cls, entries: Sequence[ListEntry]) -> VesselIndex:
        by_imo: dict[str, list[ListEntry]] = {}
        by_phrase: dict[tuple[str, ...], list[tuple[ListEntry, str]]] = {}
        for entry in entries:
            for imo in entry.imo_numbers:
                by_imo.setdefault(imo, []).append(entry)
            for name in entry.names:
                phrase = name_tokens(name)
                if phrase:
                    by_phrase.setdefault(phrase, []).append((entry, name))
        return cls(
            {k: tuple(v) for k, v in by_imo.items()},
            {k: tuple(v) for k, v in by_phrase.items()},
            max((len(p) for p in by_phrase), default=0),
            frozenset(p[0] for p in by_phrase),
        )


def vessel_index(reference: ReferenceList) -> VesselIndex:
    """The vessel index of one list version. Built by the caller's plan, once per screening
    context (`_plan`) or re-screening delta (rules/rescreen.py), which keeps it: the core holds
    no module-level state."""
    return VesselIndex.build([e for e in reference.entries if e.kind == "vessel"])


class VesselHit(NamedTuple):
    entry: ListEntry
    matched: str
    listed_as: str
    method: str
    score: float


def check_oil_vessel(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """Findings for every listed vessel the remittance information or a party's name refers to."""
    plan = _plan(ctx)
    if plan is None or not in_currency_scope(plan.settings, payment):
        return []
    settings = plan.settings
    best: dict[tuple[str, str], tuple[VesselHit, ReferenceList]] = {}
    texts = _texts(payment)
    for reference, index, scope in plan.lists:
        for field, text in texts:
            # Party names and remittance lines repeat: each text is read once per list version.
            hits = ctx.parties.lookup((scope, text), _vessels_found, text, index)
            for hit in hits:
                if not in_force(hit.entry, ctx, payment):
                    continue
                key = (field, hit.entry.entry_id)
                if key not in best or hit.score > best[key][0].score:
                    best[key] = (hit, reference)
    if not best:
        return []
    return [
        mark_retro(_finding(payment, settings, field, hit, ref), payment)
        for (field, _), (hit, ref) in sorted(best.items())
    ]


class VesselPlan(NamedTuple):
    """OIL-VESSEL as a context runs it: its settings and, per list it names that is loaded,
    the list, its vessel index and the index's party-cache scope (resolved once per context,
    rules.listmatch.rule_plan says why)."""

    settings: VesselSettings
    lists: tuple[tuple[ReferenceList, VesselIndex, int], ...]


def _plan(ctx: ScreeningContext) -> VesselPlan | None:
    def build() -> VesselPlan | None:
        settings = ctx.pack.typed(RULE_ID, VesselSettings)
        if settings is None:
            return None
        lists = []
        for list_name in settings.lists:
            reference = ctx.lists.get(list_name)
            if reference is not None:
                index = vessel_index(reference)
                lists.append((reference, index, ctx.parties.scope(index)))
        return VesselPlan(settings, tuple(lists))

    return ctx.plan(RULE_ID, build)


def _texts(payment: Payment) -> list[tuple[str, str]]:
    found = [("remittance_info", payment.remittance_info)] if payment.remittance_info else []
    return found + [(field, party.name) for field, party in payment.parties()]


def _vessels_found(text: str, index: VesselIndex) -> tuple[VesselHit, ...]:
    return tuple(find_vessels(text, index))


def find_vessels(text: str, index: VesselIndex) -> Iterator[VesselHit]:
    """Every listed vessel `text` references by IMO number or by name (see module docstring)."""
    yield from _imo_hits(text, index)
    yield from _name_hits(text, index)


def _imo_hits(text: str, index: VesselIndex) -> Iterator[VesselHit]:
    if _DIGIT_RUN.search(text) is None:
        return
    for found in _SEVEN_DIGITS.finditer(text):
        imo, labelled = found.group("imo"), bool(found.group("label"))
        if not labelled and not imo_check_digit_ok(imo):
            continue
        for entry in index.by_imo.get(imo, ()):
            method, score = ("imo", 1.0) if labelled else ("imo-unlabelled", 0.95)
            yield VesselHit(entry, found.group(0).strip(), f"IMO {imo}", method, score)


def _name_hits(text: str, index: VesselIndex) -> Iterator[VesselHit]:
    # Most texts hold no slash (the M/V, M/T spelling) and no token that starts a listed name:
    # both tests are far cheaper than the substitution and the scan they spare.
    tokens = name_tokens(_SLASHED.sub(r"M\1", text) if "/" in text else text)
    if index.first_words.isdisjoint(tokens):
        return
    for start in range(len(tokens)):
        if tokens[start] not in index.first_words:
            continue
        for length in range(min(index.longest, len(tokens) - start), 0, -1):
            phrase = tokens[start : start + length]
            listed = index.by_phrase.get(phrase)
            if not listed:
                continue
            context = VESSEL_WORDS.intersection(tokens[max(0, start - CONTEXT_WINDOW) : start])
            if context or length >= 2:
                method, score = ("name-context", 0.95) if context else ("name-phrase", 0.9)
                for entry, alias in listed:
                    yield VesselHit(entry, " ".join(phrase), alias, method, score)
                break


def _finding(
    payment: Payment, settings: RuleSettings, field: str, hit: VesselHit, reference: ReferenceList
) -> Finding:
    entry = hit.entry
    imos = ", ".join(entry.imo_numbers) or "no IMO listed"
    return Finding(
        rule=RULE_ID,
        action=settings.action,
        severity=settings.severity,
        field=field,
        matched=hit.matched,
        entry_id=entry.entry_id,
        entry_name=entry.primary_name,
        list_name=reference.name,
        list_version=reference.version,
        legal_source=entry.legal_source,
        listed_from=entry.listed_from,
        score=hit.score,
        match_method=hit.method,
        explanation=(
            f"{field} references the sanctioned vessel {entry.primary_name} (IMO {imos}) as "
            f'"{hit.matched}" ({hit.method}); listed as "{hit.listed_as}" on {reference.name} '
            f"version {reference.version}; payment value-dated {payment.value_date}."
        ),
        evidence={
            "listed_as": hit.listed_as,
            "imo_numbers": imos,
            "programs": "/".join(entry.programs),
            **matcher_evidence(hit.method),
        },
    )
