"""Re-screening stored payments against a list delta: which of them the new entries now hit.

When a list changes, only its added and changed entries (rules.lists.delta.list_delta) can
raise anything new. They are screened through the one screening core (rules.engine with a
context holding just the delta), so a retro finding is exactly the finding live screening
would make with the delta loaded, as of the re-screening day (`as_of`): an entry designated
after the payment's value date is in force and the finding is marked retro (mark_retro).

Most stored payments cannot touch a 50-entry delta at all, and running every rule over each of
a million payments costs hundreds of microseconds apiece. `DeltaProbe` decides that cheaply and
soundly first: a payment can only be hit through one of the strings the rules read (names,
addresses, BICs, accounts, clearing ids, free text, unknown fields), and a string can only hit
if one of its words stands for a delta word (NameIndex.could_match, the matcher's own
candidate step) or it carries one of the delta's identifiers (a BIC's bank code, an IBAN bank
code, an IMO or registration number). The verdict is remembered per distinct string: payment
after payment repeats the same names and banks. Payments that pass the probe are screened in
full; the others are skipped without being decoded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rules.context import ListIndex, ScreeningContext, bank_code_keys
from rules.engine import screen_payment
from rules.lists.base import ListSet, ReferenceList
from rules.lists.builtin import JURISDICTIONS_LIST
from rules.mentions import (
    SWIFT_NAME_LINE,
    clearing_bank_code,
    clearing_bic,
    continued_names,
    iban_bank_code,
    identifiers_in_text,
)
from rules.pack import ListRuleSettings, RulePack
from rules.vessel import VesselIndex, find_vessels, vessel_index
from schemas.common import Action
from schemas.decision import Finding
from schemas.payment import Payment

NOT_SCREENED = frozenset(
    {
        "payment_id",
        "uetr",
        "created_at",
        "value_date",
        "amount",
        "currency",
        "message_type",
        "parse_warnings",
        "source",
    }
)
"""Top-level payment fields no rule reads for a list match (dates, amounts, references)."""

CODE_FIELDS = frozenset({"bic", "account", "clearing_id", "country", "purpose_code"})
"""Fields the rules read only as identifiers (rules.mentions.subjects), never as names or text."""
NAME, AGENT_NAME, TEXT, CODE = "name", "agent-name", "text", "code"
"""How a string is read: a party's or an agent's name, free text, or an identifier."""

VERDICT_MEMO_SIZE = 200_000
"""Distinct strings whose verdict is remembered before the memo starts afresh."""


def alert_key(rule: str, entry_id: str | None) -> str:
    """What "already alerted" means: the same payment, rule and list entry."""
    return f"{rule}|{entry_id or ''}"


@dataclass
class DeltaProbe:
    """A necessary condition for a payment to be hit by the delta list, checked per string."""

    index: ListIndex
    threshold: float
    """The lowest name-score threshold any rule of the pack applies (rules.listmatch)."""
    bank_codes: frozenset[str]
    """The first four letters of every delta BIC (a BIC8 match implies them)."""
    bank_keys: frozenset[tuple[str, str]]
    """(country, code) of the IBAN and clearing bank codes that identify delta banks."""
    numbers: tuple[str, ...]
    """IMO and registration numbers of delta entries."""
    every_payment: bool
    vessels: VesselIndex | None = None
    verdicts: dict[tuple[str, str], bool] = field(default_factory=dict)
    candidates: int = 0
    """Payments that passed the probe (screened in full), for metrics and the bench."""

    @classmethod
    def build(cls, index: ListIndex, pack: RulePack) -> DeltaProbe:
        entries = index.reference.entries
        numbers = {n.upper() for e in entries for n in (*e.imo_numbers, *e.registration_numbers)}
        has_vessels = any(e.kind == "vessel" for e in entries)
        return cls(
            index,
            lowest_threshold(pack),
            frozenset(bic[:4].upper() for e in entries for bic in e.bics),
            frozenset(key for e in entries for key in bank_code_keys(e)),
            tuple(sorted(n for n in numbers if n)),
            # IRAN-NEXUS reads the jurisdictions list against every country field.
            index.reference.name == JURISDICTIONS_LIST,
            vessel_index(index.reference) if has_vessels else None,
        )

    def touches(self, text: str, how: str = TEXT) -> bool:
        """Whether this string, read `how` (NAME, AGENT_NAME, TEXT or CODE), could hold a
        delta name or identifier (remembered per string and reading)."""
        key = (text, how)
        found = self.verdicts.get(key)
        if found is None:
            found = self._touches(text, how)
            if len(self.verdicts) >= VERDICT_MEMO_SIZE:
                self.verdicts.clear()
            self.verdicts[key] = found
        return found

    def _touches(self, text: str, how: str) -> bool:
        if self._identifies(text) or any(n in text.upper() for n in self.numbers):
            return True
        if how == CODE:
            return False  # read as an identifier only
        if self.vessels is not None and any(find_vessels(text, self.vessels)):
            return True  # OIL-VESSEL's own phrase and IMO search
        names = self.index.names
        if how in (NAME, AGENT_NAME):
            # The rules' own search (rules.listmatch, rules.iran): a name that has no hit at the
            # lowest threshold has none at any threshold a rule uses (hits at a higher threshold
            # are a subset), and the rules only drop hits after it.
            kind = "bank" if how == AGENT_NAME else None
            return bool(names.search(text, self.threshold, kind=kind))
        return names.could_match(text, self.threshold)

    def _identifies(self, text: str) -> bool:
        """The string, read as the core reads a BIC, account, clearing id or free text,
        names a delta bank (rules.mentions' own readers)."""
        codes, keys = self.bank_codes, self.bank_keys
        upper = text.strip().upper()
        if len(upper) in (8, 11) and upper.isalnum() and upper[:4] in codes:
            return True
        for bank in (iban_bank_code(text), clearing_bank_code(text)):
            if bank is not None and (bank.country, bank.code) in keys:
                return True
        bic = clearing_bic(text)
        if bic is not None and bic[:4] in codes:
            return True
        for kind, code in identifiers_in_text(text):
            if kind == "bic" and code[:4] in codes:
                return True
            bank = iban_bank_code(code) if kind == "iban" else None
            if bank is not None and (bank.country, bank.code) in keys:
                return True
        return False

    def payment_touches(self, payment: Mapping[str, Any]) -> bool:
        """Whether a stored payment (its JSON as a dict) could be hit by the delta."""
        touches = self.touches
        strings = screened_strings(payment)
        if self.every_payment or any(touches(text, how) for text, how in strings):
            self.candidates += 1
            return True
        return False


def lowest_threshold(pack: RulePack) -> float:
    """The pack-wide name threshold or a rule's own, whichever is lowest (text thresholds are
    never below the name threshold: rules.listmatch.MatchPolicy)."""
    found = [pack.name_match_threshold]
    for rule in pack.rules:
        settings = pack.settings(rule)
        if isinstance(settings, ListRuleSettings) and settings.score_threshold is not None:
            found.append(settings.score_threshold)
    return min(found)


PARTIES = frozenset(
    {
        "debtor",
        "creditor",
        "ultimate_debtor",
        "ultimate_creditor",
        "debtor_agent",
        "creditor_agent",
        "instructing_agent",
        "instructed_agent",
        "intermediary_agents",
    }
)
"""Top-level fields holding parties and agents, whose `name` the rules search as a name."""
AGENTS = frozenset(
    {
        "debtor_agent",
        "creditor_agent",
        "instructing_agent",
        "instructed_agent",
        "intermediary_agents",
    }
)
"""Those holding agents, searched as banks (rules.listmatch.AGENT_KIND)."""


def screened_strings(payment: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every string of a payment's JSON a list rule may read, with how the rules read it:
    NAME or AGENT_NAME (a party's or an agent's name, searched whole, and the continued names
    joined from a name and its first address line: rules.mentions.continued_names), CODE (a
    BIC, account, clearing id, country or purpose code: only looked up as an identifier) or
    TEXT (remittance, a party's address lines joined by line breaks as
    rules.mentions.text_mentions joins them, and every string of an unknown field). Reads the
    JSON, not the model: most payments are never decoded."""
    for key, value in payment.items():
        if key in NOT_SCREENED:
            continue
        if key in PARTIES:
            for holder in value if isinstance(value, list) else [value]:
                if isinstance(holder, Mapping):
                    yield from _party_strings(holder, AGENT_NAME if key in AGENTS else NAME)
                else:
                    yield from _strings(holder)
        elif key in CODE_FIELDS:
            if isinstance(value, str) and value:
                yield value, CODE
        else:
            yield from _strings(value)


def _party_strings(party: Mapping[str, Any], how: str) -> Iterator[tuple[str, str]]:
    name, address = party.get("name"), party.get("address")
    lines = [line for line in address if isinstance(line, str)] if isinstance(address, list) else []
    if isinstance(name, str) and name:
        yield name, how
        for joined in continued_names(name, lines, SWIFT_NAME_LINE):
            yield joined, how
    text = "\n".join(line for line in lines if line.strip())
    if text:
        yield text, TEXT
    for key, value in party.items():
        if key in CODE_FIELDS:
            if isinstance(value, str) and value:
                yield value, CODE
        elif key not in ("name", "address"):
            yield from _strings(value)


def _strings(value: Any, depth: int = 0) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if value:
            yield value, TEXT
    elif isinstance(value, Mapping):
        if depth < 6:
            for item in value.values():
                yield from _strings(item, depth + 1)
    elif isinstance(value, list) and depth < 6:
        for item in value:
            yield from _strings(item, depth + 1)


@dataclass(frozen=True)
class DeltaScreen:
    """The delta as the screening core sees it, and the probe in front of it."""

    delta: ReferenceList
    context: ScreeningContext
    probe: DeltaProbe
    entry_ids: frozenset[str]

    @classmethod
    def build(cls, pack: RulePack, delta: ReferenceList, as_of: date) -> DeltaScreen:
        """`as_of`: the re-screening day, passed in (the core reads no clock)."""
        context = ScreeningContext.build(pack, ListSet({delta.name: delta}), as_of=as_of)
        index = context.index(delta.name)
        assert index is not None
        ids = frozenset(e.entry_id for e in delta.entries)
        return cls(delta, context, DeltaProbe.build(index, pack), ids)

    def findings(
        self, payment: Payment, evaluated_at: datetime, already: frozenset[str] = frozenset()
    ) -> list[Finding]:
        """The actionable findings of delta entries on `payment`, except those whose (rule,
        entry) is in `already` (the payment alerted on them before)."""
        decision = screen_payment(payment, self.context, evaluated_at)
        return [
            f
            for f in decision.findings
            if f.action is not Action.PASS
            and f.list_name == self.delta.name
            and f.entry_id in self.entry_ids
            and alert_key(f.rule, f.entry_id) not in already
        ]
