"""IRAN-NEXUS: a party or agent of the payment is located in Iran or is an Iranian bank.

Signals, strongest first (one finding per field, the others kept as evidence):
- the agent's or party's BIC8 is on the built-in iran-banks list (this also catches Iranian-owned
  banks and Iranian banks' branches abroad, e.g. Islamic Regional Cooperation Bank and Bank Melli
  Iran's branch in Baghdad, Melli Bank plc in London);
- the bank code inside the party's IBAN (an Iranian IBAN's three digits, an Iraqi IBAN's four
  letters) or in an agent's clearing id is an Iranian bank's;
- BIC letters 5-6 are a configured jurisdiction (IR);
- the party's account is an IBAN of that country (schwifty checks the IBAN's checksum and length);
- the country field says IR;
- the name matches an iran-banks entry, in any position: an agent without a BIC, an agent whose
  BIC is not listed (a stricter threshold: "Commercial Bank of Iraq" must not meet "Tejarat"),
  a party (a bank as debtor or creditor of a pacs.009), a party name continued on its first
  address line;
- a BIC whose institution code (first four letters) is a listed Iranian bank's, at an unlisted
  branch: review (the code is the bank's, the branch is not on file);
- an address line names the country or one of its cities, in Latin, Arabic or Persian script.
An Iranian bank named or identified in free text (remittance information, address lines,
unknown fields) is a finding of its own on that field.

Action by evidence: identifiers, the country, an Iranian place in the address and a near-exact
name of the bank block; a fuzzy or weak-alias name alone is a review (rules.listmatch).

The place names and jurisdictions are pack settings. IRAN-ENERGY reuses `iran_signals` for its
beneficiary test, so both rules agree on what "Iranian" means. Precedence: before the electricity
waiver lapsed, IRAN-NEXUS yields to IRAN-ENERGY; the engine applies that from the pack's
`yields_to` table, so this rule stays a plain function of the payment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any, Final, Generic, NamedTuple, TypeVar

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from rules.context import ListIndex, ScreeningContext, list_date, mark_retro
from rules.listmatch import (
    countries_conflict,
    designation_finding,
    how_matched,
    in_currency_scope,
    name_strength,
    payment_records,
    plan_text_matches,
    rule_plan,
    threshold,
    token_evidence,
)
from rules.lists.builtin import IRAN_BANKS_LIST, JURISDICTIONS_LIST
from rules.matching import matcher_evidence
from rules.mentions import (
    SWIFT_NAME_LINE,
    Subject,
    clearing_bank_code,
    clearing_bic,
    continued_names,
    iban_bank_code,
)
from rules.pack import DEFAULT_STRONG_SCORE, IranSettings, RuleSettings
from schemas.common import Action
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Agent, Party, Payment

RULE_ID = "IRAN-NEXUS"
DEFAULT_NAMED_BANK_THRESHOLD = 0.92
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0640]")  # harakat and tatweel


@dataclass(frozen=True)
class IranSignal:
    """One reason to place a subject in Iran, with the list entry that gives its legal basis."""

    method: str
    matched: str
    score: float
    entry: ListEntry | None
    index: ListIndex | None
    strong: bool = True
    """False for a name that is fuzzy or a weak alias, and a bare institution code: review."""
    tokens: tuple[tuple[str, str], ...] = ()


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
    named_bank_threshold: float = DEFAULT_NAMED_BANK_THRESHOLD
    """Names of parties and of agents with an unlisted BIC must score this much."""
    strong_score: float = DEFAULT_STRONG_SCORE
    aliases_block: bool = False
    """A near-exact match of any of a bank's names, not only its primary name, blocks."""

    @classmethod
    def for_payment(
        cls, settings: IranSettings, ctx: ScreeningContext, payment: Payment
    ) -> IranTest:
        """`from_settings` for `payment`, built once per settings object, pack and lists (and
        list date) for the life of `ctx` (`ScreeningContext.derive`), not once per payment."""
        run = ctx.derive(("iran-test", None), settings, lambda: cls.from_settings(settings, ctx))
        on = list_date(ctx, payment)
        return ctx.derive(("iran-test", on), settings, lambda: replace(run, on=on))

    @classmethod
    def from_settings(
        cls, settings: IranSettings, ctx: ScreeningContext, payment: Payment | None = None
    ) -> IranTest:
        jurisdictions = tuple(settings.jurisdictions)
        places = ctx.index(JURISDICTIONS_LIST)
        return cls(
            jurisdictions,
            tuple(settings.address_keywords),
            ctx.index(IRAN_BANKS_LIST),
            places,
            threshold(settings, ctx),
            list_date(ctx, payment) if payment is not None else None,
            _jurisdiction_entry(places, jurisdictions),
            settings.named_bank_threshold,
            settings.strong_score,
            settings.aliases_block,
        )

    def applies(self, entry: ListEntry) -> bool:
        """Whether a listed Iranian bank counts on this run's list date."""
        return self.on is None or entry.in_force_on(self.on)


def check_iran_nexus(payment: Payment, ctx: ScreeningContext) -> list[Finding]:
    """One finding per party or agent located in Iran (or an Iranian bank)."""
    plan = iran_plan(ctx, RULE_ID, IranSettings, payment)
    if plan is None or not in_currency_scope(plan.settings, payment):
        return []
    settings, test = plan.settings, plan.test
    findings = []
    for who, signals in holder_signals(payment, test, ctx, scope=plan.scope):
        if signals:
            found = nexus_finding(RULE_ID, settings, who, signals, payment)
            findings.append(mark_retro(found, payment))
    if test.banks is not None and settings.screen_text:
        findings += _text_findings(payment, ctx, test)
    return findings


IS = TypeVar("IS", bound=IranSettings)


class IranPlan(Generic[IS]):
    """IRAN-NEXUS or IRAN-ENERGY as a context runs it on one list date: the typed settings,
    the test and its party-cache scope, resolved once per (context, date), not per payment.
    A plain generic class, set once (rules.listmatch.ListPlan says why not a dataclass)."""

    __slots__ = ("scope", "settings", "test")

    def __init__(self, settings: IS, test: IranTest, scope: int) -> None:
        self.settings: Final = settings
        self.test: Final = test
        self.scope: Final = scope


def iran_plan(
    ctx: ScreeningContext, rule: str, model: type[IS], payment: Payment
) -> IranPlan[IS] | None:
    """The rule's plan for `payment`'s list date (None: the rule is disabled), kept in
    `ctx.plans` (rules.listmatch.rule_plan says why there)."""

    def build() -> IranPlan[IS] | None:
        settings = ctx.pack.typed(rule, model)
        if settings is None:
            return None
        test = IranTest.for_payment(settings, ctx, payment)
        return IranPlan(settings, test, ctx.parties.scope(test))

    return ctx.plan(("iran", rule, model, list_date(ctx, payment)), build)


def holder_signals(
    payment: Payment,
    test: IranTest,
    ctx: ScreeningContext,
    fields: Collection[str] | None = None,
    *,
    scope: int | None = None,
) -> list[tuple[Subject, Sequence[IranSignal]]]:
    """`iran_signals` of each agent and party (only those of `fields`, when given), remembered
    across payments in its party-cache record (fetched once per screening and shared by
    IRAN-NEXUS and IRAN-ENERGY) under the test's scope: a holder's signals are a pure function
    of the subject, the parts of its Agent or Party they read and `test`.
    `scope` is `ctx.parties.scope(test)` when the caller has it (`IranPlan`)."""
    if scope is None:
        scope = ctx.parties.scope(test)
    hits = misses = 0
    found: list[tuple[Subject, Sequence[IranSignal]]] = []
    for who, holder, record in _holder_records(payment, ctx):
        if fields is not None and who.field not in fields:
            continue
        signals = record.get(scope)
        if signals is None:
            misses += 1
            signals = record[scope] = tuple(iran_signals(who, holder, test))
        else:
            hits += 1
        found.append((who, signals))
    ctx.parties.count(hits, misses)
    return found


class _HolderKey(NamedTuple):
    """What a holder's IRAN-NEXUS signals depend on besides the test (a party-cache record key)."""

    who: Subject
    holder: tuple[object, ...]


def _holder_records(
    payment: Payment, ctx: ScreeningContext
) -> list[tuple[Subject, Agent | Party, dict[int, Any]]]:
    """Each holder with its party-cache record. An agent's signals read nothing its Subject
    does not hold (BIC, name, clearing id, country), nor does a party's without address
    lines (account, country): those share the subject's record with the list rules (under
    another scope). A party's address lines are read too (places, a continued name), so a
    party with address lines has a record of its own, keyed by subject and lines."""

    def read() -> list[tuple[Subject, Agent | Party, dict[int, Any]]]:
        # The subjects are the agents in chain order, then each party followed by its
        # continued names (rules.mentions.subjects): walked in step with the models.
        record = ctx.parties.record
        pairs = payment_records(payment, ctx)
        found: list[tuple[Subject, Agent | Party, dict[int, Any]]] = [
            (who, agent, own)
            for (who, own), (_, agent) in zip(pairs, payment.agent_chain(), strict=False)
        ]
        at, size = len(found), len(pairs)
        for _, party in payment.parties():
            who, own = pairs[at]
            at += 1
            while at < size and pairs[at][0].continued:
                at += 1
            if party.address:
                own = record(_HolderKey(who, tuple(party.address)))
            found.append((who, party, own))
        return found

    return ctx.memoised(payment, "holder-records", read)


def _text_findings(payment: Payment, ctx: ScreeningContext, test: IranTest) -> list[Finding]:
    """An Iranian bank named, or identified by IBAN or BIC, in the payment's free text."""
    plan = rule_plan(ctx, RULE_ID, IRAN_BANKS_LIST, IranSettings, own_list=False)
    assert plan is not None and plan.index is test.banks
    settings, index = plan.settings, plan.index
    findings = []
    for match in plan_text_matches(plan, payment, ctx):
        if not test.applies(match.entry):
            continue
        explanation = (
            f"{match.subject.field}: {how_matched(match)} for the Iranian bank "
            f"{match.entry.primary_name}; payment {payment.currency} value-dated "
            f"{payment.value_date}."
        )
        found = designation_finding(RULE_ID, settings, index, match, explanation)
        findings.append(mark_retro(found, payment))
    return findings


def iran_signals(who: Subject, holder: Agent | Party, test: IranTest) -> list[IranSignal]:
    """Every reason to place `holder` in Iran, strong evidence first (empty if none)."""
    signals = _bank_signals(who, holder, test)
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
    # Stable: strong evidence first, each kind in the order found above.
    return sorted(signals, key=lambda s: not s.strong) if len(signals) > 1 else signals


def _bank_signals(who: Subject, holder: Agent | Party, test: IranTest) -> list[IranSignal]:
    banks = test.banks
    if banks is None:
        return []
    if who.bic:
        listed = [e for e in banks.by_bic8.get(who.bic[:8].upper(), ()) if test.applies(e)]
        if listed:
            return [IranSignal("bic", who.bic, 1.0, listed[0], banks)]
    coded = _code_signals(holder, banks, test)
    if coded:
        return coded
    names = _name_signals(who, holder, banks, test)
    if who.bic:
        # The institution code of an unlisted BIC: a branch the directory did not list.
        same_code = [e for e in banks.by_bic4.get(who.bic[:4].upper(), ()) if test.applies(e)]
        if same_code and not any(s.strong for s in names):
            names.append(IranSignal("bic-bank-code", who.bic, 0.9, same_code[0], banks, False))
    return names


def _code_signals(holder: Agent | Party, banks: ListIndex, test: IranTest) -> list[IranSignal]:
    """An IBAN bank code (parties) or clearing id (agents) that is an Iranian bank's."""
    if isinstance(holder, Party):
        code = iban_bank_code(holder.account)
        method = "iban-bank-code"
    else:
        bic = clearing_bic(holder.clearing_id)
        listed = [e for e in banks.by_bic8.get(bic[:8], ()) if test.applies(e)] if bic else []
        if listed:
            return [IranSignal("clearing-id", holder.clearing_id or "", 1.0, listed[0], banks)]
        code = clearing_bank_code(holder.clearing_id)
        method = "clearing-id"
    if code is None:
        return []
    found = [e for e in banks.by_bank_code.get((code.country, code.code), ()) if test.applies(e)]
    if not found:
        return []
    score = 1.0 if code.checked else 0.95
    return [IranSignal(method, f"{code.source} (bank code {code.code})", score, found[0], banks)]


def _name_signals(
    who: Subject, holder: Agent | Party, banks: ListIndex, test: IranTest
) -> list[IranSignal]:
    """An Iranian bank's name in any position: an agent without a BIC at the pack's name
    threshold; an agent with an unlisted BIC, a party, or a party's name continued on its
    address line at the stricter `named_bank_threshold`."""
    if not who.name:
        return []
    strict = who.bic is not None or not who.is_agent
    cutoff = max(test.name_threshold, test.named_bank_threshold) if strict else test.name_threshold
    queries = [(who.name, "name")]
    if isinstance(holder, Party):
        queries += [
            (n, "name-continued")
            for n in continued_names(who.name, holder.address, SWIFT_NAME_LINE)
        ]
    for query, method in queries:
        for hit in banks.names.search(query, cutoff, kind="bank" if who.is_agent else None):
            if not test.applies(hit.entry) or hit.entry.kind == "individual":
                continue
            if countries_conflict(query, hit.alias):
                continue
            strength = name_strength(hit, test.strong_score, aliases_block=test.aliases_block)
            return [
                IranSignal(
                    method,
                    query,
                    hit.score,
                    hit.entry,
                    banks,
                    strength == "strong",
                    token_evidence(hit),
                )
            ]
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
    """The first configured term the text mentions (Latin by whole word, Arabic by word with
    its attached prepositions, article and adjective ending)."""
    if not lines or not terms:
        return None
    text = _fold(" ".join(lines))
    every, latin = _folded(tuple(terms))
    # A folded term outside ASCII (Arabic, Persian) cannot be inside an ASCII text.
    for name, folded in every if not text.isascii() else latin:
        # A plain substring test first (almost no text holds any term), then the word test.
        if folded in text and _pattern(name).search(text):
            return name
    return None


@lru_cache(maxsize=64)
def _folded(
    terms: tuple[str, ...],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Each term with its folded form, once per configured list of terms: every term, and the
    terms whose folded form is ASCII (the only ones an ASCII text can hold), in order."""
    every = tuple((name, _fold(name)) for name in terms)
    return every, tuple(pair for pair in every if pair[1].isascii())


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()  # NFKC and casefold change no ASCII letter but case
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text)


@lru_cache(maxsize=1024)
def _pattern(name: str) -> re.Pattern[str]:
    folded = re.escape(_fold(name))
    if name.isascii():
        return re.compile(rf"(?<![a-z0-9]){folded}(?![a-z0-9])")
    # Arabic script attaches prepositions and articles before a word (بطهران, الإيراني) and
    # the adjective ending after it (طهراني, إيرانية), nothing else: المشهداني (Mashhadani, an
    # Iraqi family name) is not Mashhad.
    return re.compile(rf"(?<!{_ARABIC_LETTER}){_CLITICS}{folded}{_NISBA}(?!{_ARABIC_LETTER})")


_ARABIC_LETTER = "[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]"
_CLITICS = "(?:وال|بال|فال|لل|ال|و|ب|ل|ف|در)?"
_NISBA = "(?:ية|يه|یه|يين|يون|ی|ي)?"


def _matcher(signals: Sequence[IranSignal]) -> dict[str, str]:
    """The matcher version when any signal is a name match (IRAN-ENERGY inherits it)."""
    for signal in signals:
        if cited := matcher_evidence(signal.method):
            return cited
    return {}


def nexus_finding(
    rule: str, settings: RuleSettings, who: Subject, signals: Sequence[IranSignal], payment: Payment
) -> Finding:
    """A finding that cites the strongest signal's entry and keeps every signal as evidence.

    Block (the rule's action) when some signal is strong evidence; a name that is fuzzy or a
    weak alias, or a bare institution code, is a review on its own.
    """
    top = signals[0]
    entry, index = top.entry, top.index
    reasons = "; ".join(f"{s.method} {s.matched}" for s in signals)
    subject = entry.primary_name if entry is not None else "Iran"
    action = (
        settings.action if top.strong else min(settings.action, Action.REVIEW, key=lambda a: a.rank)
    )
    tokens = dict(top.tokens)
    if entry is not None and entry.remarks and len(entry.remarks) <= 1000:
        # Where the list got the matched BIC or bank code from (a directory, OFAC's remarks).
        tokens["list_remarks"] = entry.remarks
    return Finding(
        rule=rule,
        action=action,
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
            "strength": "strong" if top.strong else "weak",
            **tokens,
            **_matcher(signals),
        },
    )
