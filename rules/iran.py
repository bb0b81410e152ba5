"""IRAN-NEXUS: a party or agent of the payment is located in Iran or is an Iranian bank.

Signals, strongest first (one finding per field, the others kept as evidence):
- the agent's or party's BIC8 is on the built-in iran-banks list (this also catches Iranian-owned
  banks abroad, e.g. Islamic Regional Cooperation Bank in Baghdad or Melli Bank plc in London);
- BIC letters 5-6 are a configured jurisdiction (IR);
- the party's account is an IBAN of that country (schwifty checks the IBAN's checksum and length;
  its bank registry has no Iranian banks, so the bank code itself cannot be checked);
- the country field says IR;
- the name matches an iran-banks entry (agents without a listed BIC);
- an address line names the country or one of its cities, in Latin, Arabic or Persian script.

The place names and jurisdictions are pack settings. IRAN-ENERGY reuses `iran_signals` for its
beneficiary test, so both rules agree on what "Iranian" means. Precedence: before the electricity
waiver lapsed, IRAN-NEXUS yields to IRAN-ENERGY; the engine applies that from the pack's
`yields_to` table, so this rule stays a plain function of the payment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from rules.context import ListIndex, ScreeningContext, list_date, mark_retro
from rules.lists.builtin import IRAN_BANKS_LIST, JURISDICTIONS_LIST
from rules.matching import matcher_evidence
from rules.pack import RuleSettings
from rules.sdn import Subject, extra_strings, in_currency_scope, subjects, threshold
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Agent, Party, Payment

RULE_ID = "IRAN-NEXUS"
DEFAULT_JURISDICTIONS = ("IR",)
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0640]")  # harakat and tatweel


@dataclass(frozen=True)
class IranSignal:
    """One reason to place a subject in Iran, with the list entry that gives its legal basis."""

    method: str
    matched: str
    score: float
    entry: ListEntry | None
    index: ListIndex | None


@dataclass(frozen=True)
class IranTest:
    """What "located in Iran" means for one run: jurisdictions, place names and lists."""

    jurisdictions: tuple[str, ...]
    place_names: tuple[str, ...]
    banks: ListIndex | None
    places: ListIndex | None
    name_threshold: float
    on: date | None = None
    """The day whose list state applies (rules.context.list_date); None: every entry."""
    jurisdiction: tuple[ListEntry | None, ListIndex | None] = (None, None)
    """The list entry that makes the jurisdictions a legal basis (looked up once per run)."""

    @classmethod
    def from_settings(
        cls, settings: RuleSettings, ctx: ScreeningContext, payment: Payment | None = None
    ) -> IranTest:
        jurisdictions = tuple(extra_strings(settings, "jurisdictions", DEFAULT_JURISDICTIONS))
        places = ctx.index(JURISDICTIONS_LIST)
        return cls(
            jurisdictions,
            tuple(extra_strings(settings, "address_keywords")),
            ctx.index(IRAN_BANKS_LIST),
            places,
            threshold(settings, ctx),
            list_date(ctx, payment) if payment is not None else None,
            _jurisdiction_entry(places, jurisdictions),
        )

    def applies(self, entry: ListEntry) -> bool:
        """Whether a listed Iranian bank counts on this run's list date."""
        return self.on is None or entry.in_force_on(self.on)


def check_iran_nexus(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """One finding per party or agent located in Iran (or an Iranian bank)."""
    settings = ctx.pack.settings(RULE_ID)
    if settings is None or not in_currency_scope(settings, payment):
        return []
    test = IranTest.from_settings(settings, ctx, payment)
    findings = []
    for who, holder in holders(payment):
        signals = iran_signals(who, holder, test)
        if signals:
            found = nexus_finding(RULE_ID, settings, who, signals, payment)
            findings.append(mark_retro(found, payment))
    return findings


def holders(payment: Payment) -> list[tuple[Subject, Agent | Party]]:
    """Each screened subject with the Agent or Party model behind it."""
    by_field: dict[str, Agent | Party] = dict(payment.agent_chain())
    by_field.update(payment.parties())
    return [(who, by_field[who.field]) for who in subjects(payment)]


def iran_signals(who: Subject, holder: Agent | Party, test: IranTest) -> list[IranSignal]:
    """Every reason to place `holder` in Iran, strongest first (empty if none)."""
    signals = _bank_signals(who, test)
    jurisdiction = test.jurisdiction
    if who.bic and who.bic[4:6].upper() in test.jurisdictions:
        signals.append(IranSignal("bic-country", who.bic, 1.0, *jurisdiction))
    if isinstance(holder, Party) and holder.account:
        signals += _iban_signals(holder.account, test, jurisdiction)
    if holder.country and holder.country in test.jurisdictions:
        signals.append(IranSignal("country", holder.country, 1.0, *jurisdiction))
    if isinstance(holder, Party):
        place = mentions(holder.address, test.place_names)
        if place:
            signals.append(IranSignal("address", place, 0.9, *jurisdiction))
    return signals


def _bank_signals(who: Subject, test: IranTest) -> list[IranSignal]:
    if test.banks is None:
        return []
    if who.bic:
        listed = [e for e in test.banks.by_bic8.get(who.bic[:8].upper(), ()) if test.applies(e)]
        if listed:
            return [IranSignal("bic", who.bic, 1.0, listed[0], test.banks)]
    # An agent's BIC identifies the bank; its name is only compared when it has no BIC (a name
    # such as "Commercial Bank of Iraq" would otherwise meet "Bank Tejarat", "commercial bank").
    if who.is_agent and who.name and not who.bic:
        hits = [
            h
            for h in test.banks.names.search(who.name, test.name_threshold)
            if test.applies(h.entry)
        ]
        if hits:
            return [IranSignal("name", who.name, hits[0].score, hits[0].entry, test.banks)]
    return []


def _iban_signals(
    account: str, test: IranTest, jurisdiction: tuple[ListEntry | None, ListIndex | None]
) -> list[IranSignal]:
    compact = account.replace(" ", "").upper()
    if compact[:2] not in test.jurisdictions or not compact[2:4].isdigit():
        return []
    try:
        IBAN(compact)
    except SchwiftyException:
        # An IR-prefixed account with a bad checksum is still an Iranian account number more
        # often than not: flag it, with a lower score that says the IBAN did not validate.
        return [IranSignal("iban-prefix", compact, 0.8, *jurisdiction)]
    return [IranSignal("iban", compact, 1.0, *jurisdiction)]


def _jurisdiction_entry(
    places: ListIndex | None, jurisdictions: tuple[str, ...]
) -> tuple[ListEntry | None, ListIndex | None]:
    if places is None:
        return None, None
    for entry in places.reference.entries:
        if set(entry.countries) & set(jurisdictions):
            return entry, places
    return None, places


def mentions(lines: Sequence[str], terms: Sequence[str]) -> str | None:
    """The first configured term the text mentions (Latin by whole word, Arabic by substring)."""
    if not lines or not terms:
        return None
    text = _fold(" ".join(lines))
    # One search for all terms first: almost no text mentions any, and that answer is exact.
    if not _any_pattern(tuple(terms)).search(text):
        return None
    for name in terms:
        if _pattern(name).search(text):
            return name
    return None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text)


@lru_cache(maxsize=64)
def _any_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Matches wherever any one of `terms` would (an alternation of their patterns)."""
    return re.compile("|".join(f"(?:{_pattern(name).pattern})" for name in terms))


@lru_cache(maxsize=1024)
def _pattern(name: str) -> re.Pattern[str]:
    folded = re.escape(_fold(name))
    if name.isascii():
        return re.compile(rf"(?<![a-z0-9]){folded}(?![a-z0-9])")
    # Arabic script attaches prepositions and articles (بطهران, الإيراني): match inside words.
    return re.compile(folded)


def _matcher(signals: Sequence[IranSignal]) -> dict[str, str]:
    """The matcher version when any signal is a name match (IRAN-ENERGY inherits it)."""
    for signal in signals:
        if cited := matcher_evidence(signal.method):
            return cited
    return {}


def nexus_finding(
    rule: str, settings: RuleSettings, who: Subject, signals: Sequence[IranSignal], payment: Payment
) -> Finding:
    """A finding that cites the strongest signal's entry and keeps every signal as evidence."""
    top = signals[0]
    entry, index = top.entry, top.index
    reasons = "; ".join(f"{s.method} {s.matched}" for s in signals)
    subject = entry.primary_name if entry is not None else "Iran"
    return Finding(
        rule=rule,
        action=settings.action,
        severity=settings.severity,
        field=who.field,
        matched=top.matched,
        entry_id=entry.entry_id if entry else None,
        entry_name=entry.primary_name if entry else None,
        list_name=index.reference.name if index else None,
        list_version=index.reference.version if index else None,
        legal_source=entry.legal_source if entry else None,
        listed_from=entry.listed_from if entry else None,
        score=top.score,
        match_method=top.method,
        explanation=(
            f"{who.field} ({who.name or who.bic}) is located in Iran or is an Iranian bank: "
            f"{reasons}. Nexus with {subject}; payment {payment.currency} value-dated "
            f"{payment.value_date}."
        ),
        evidence={
            "signals": reasons,
            "subject": who.name or who.bic or "",
            **_matcher(signals),
        },
    )
