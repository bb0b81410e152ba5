"""How a payment is searched in a designation list, and how a match becomes a finding.

One module for every list rule (CBI-USD-BAN, FINCEN-311, MILITIA-FRONT, OFAC-SDN, UN-SANCTIONS,
and IRAN-NEXUS's bank test), so that they all read the same fields, weigh evidence alike and cite
field, entry, list version, legal source, listed_from, score, method and the matched tokens.

Where a list subject can appear (rules.mentions reads them out of the payment):
- an agent: its BIC (first 8 characters), its clearing id, its name;
- a party: its BIC, the bank code inside its IBAN, its name, and its name continued on the
  first address line when the name fills the SWIFT line;
- free text: remittance information, address lines, unknown extra fields, searched by windows
  of consecutive words; IBANs and BICs written in the text are looked up as identifiers.

How strong the evidence is decides the action (`evidence_strength`, `action_for`):
- identifier (BIC, IBAN bank code, clearing id): the rule's action (block);
- strong name: a near-exact (score >= `strong_score`) match of an entity's (not a person's)
  full primary name: the rule's action. On a curated list whose every name is the entity's own
  registered name (`aliases_block`: the CBI's barred banks, FinCEN 311 banks, militia fronts,
  Iranian banks), a near-exact match of any strong alias too;
- any other name match (a strong alias of a large list, a fuzzy score, a weak alias such as an
  OFAC quoted nickname or a short acronym, a person's name): review at most: a name alone
  cannot tell a namesake from the listed subject, and a large list's a.k.a.s include names
  that read as anybody's ("AL-WAAD AL-SADIQ" of WAAD PROJECT is also a man's name).
Entity types must fit the position: an agent is a bank, so entries of persons, vessels and
aircraft never match an agent; vessels and aircraft never match a party name or free text
(OIL-VESSEL reads vessel mentions with its own context rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Final, Generic, NamedTuple, TypeVar

from rules.context import ListIndex, ScreeningContext, in_force, mark_retro
from rules.matching import NameHit, matcher_evidence
from rules.matching.common_names import FAMILY_NAMES, GIVEN_NAMES
from rules.matching.lexicon import PERSON_PARTICLES
from rules.matching.names import EXACT_PRIMARY, NEAR_EXACT_SIMILARITY, STRONG_ALIAS
from rules.matching.normalize import NAME_MEMO_SIZE, SHARED_NAME_MEMO_SIZE, name_tokens
from rules.mentions import (
    BankCode,
    Subject,
    TextMention,
    clearing_bank_code,
    clearing_bic,
    iban_bank_code,
    identifiers_in_text,
    name_spans,
    subjects,
    text_mentions,
    whole_field,
    without_markers,
)
from rules.pack import (
    DEFAULT_STRONG_SCORE,
    DEFAULT_TEXT_THRESHOLD,
    DEFAULT_TEXT_WINDOW,
    ListRuleSettings,
    RuleSettings,
)
from rules.party_cache import PartyCache
from schemas.common import Action, Severity
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment

NON_PARTY_KINDS = frozenset({"vessel", "aircraft"})
PERSON_KINDS = frozenset({"individual"})
AGENT_KIND = "bank"
"""What the matcher is told an agent is (a bank: an organisation, never a person)."""
IDENTIFIER_METHODS = frozenset({"bic", "iban-bank-code", "clearing-id", "text-iban", "text-bic"})

# --- settings ----------------------------------------------------------------------------------


def threshold(settings: ListRuleSettings, ctx: ScreeningContext) -> float:
    """The rule's own name-score threshold, else the pack-wide one."""
    if settings.score_threshold is not None:
        return settings.score_threshold
    return ctx.pack.name_match_threshold


def in_currency_scope(settings: RuleSettings, payment: Payment) -> bool:
    return not settings.currencies or payment.currency in settings.currencies


class MatchPolicy(NamedTuple):
    """The evidence thresholds of one rule, read once from its pack settings."""

    name_threshold: float
    strong_score: float = DEFAULT_STRONG_SCORE
    text_threshold: float = DEFAULT_TEXT_THRESHOLD
    text_window: int = DEFAULT_TEXT_WINDOW
    skip_kinds: frozenset[str] = NON_PARTY_KINDS
    text_kinds_skipped: frozenset[str] = NON_PARTY_KINDS
    screen_text: bool = True
    screen_agents: bool = True
    exact_names_block: bool = False
    text_common_names: bool = False
    aliases_block: bool = False

    @classmethod
    def of(cls, settings: ListRuleSettings, ctx: ScreeningContext) -> MatchPolicy:
        name_threshold = threshold(settings, ctx)
        skip = frozenset(settings.skip_kinds)
        text_skip = (
            skip if settings.text_skip_kinds is None else frozenset(settings.text_skip_kinds)
        )
        return cls(
            name_threshold,
            settings.strong_score,
            max(name_threshold, settings.text_threshold),
            settings.text_window,
            skip,
            text_skip | NON_PARTY_KINDS,
            settings.screen_text,
            settings.screen_agents,
            settings.exact_names_block,
            settings.text_common_names,
            settings.aliases_block,
        )


def match_policy(
    settings: ListRuleSettings, ctx: ScreeningContext, index: ListIndex
) -> MatchPolicy:
    """`MatchPolicy.of`, remembered on the index for this (frozen) settings object.

    A pack's settings are the same read-only object from payment to payment; the memo holds
    the object itself, so a key can never be taken by another object of the same id.
    """
    key = ("policy", id(settings), ctx.pack.name_match_threshold)
    memo = index.text_memo
    found = memo.get(key)
    if found is not None and found[0] is settings:
        policy: MatchPolicy = found[1]
        return policy
    policy = MatchPolicy.of(settings, ctx)
    if len(memo) >= POLICY_MEMO_SIZE:
        memo.clear()
    memo[key] = (settings, policy)
    return policy


POLICY_MEMO_SIZE = 256
"""Entries (policies and per-policy text memos) an index keeps before it starts afresh."""

L = TypeVar("L", bound=ListRuleSettings)


class ListPlan(Generic[L]):
    """One list rule as a context runs it: what every payment would otherwise look up again.

    The settings, the list index, the match policy, the rule's scope in the context's party
    cache and the index's free-text memo depend on the pack and the lists only, so they are
    resolved once per context (`rule_plan`), not once per payment. A plain generic class,
    set once and never changed: mypyc (docs/architecture.md, "Compiled core") cannot compile
    a generic dataclass.
    """

    __slots__ = ("index", "memo", "policy", "scope", "settings")

    def __init__(
        self,
        settings: L,
        index: ListIndex,
        policy: MatchPolicy,
        scope: int,
        memo: dict[Any, WindowHits],
    ) -> None:
        self.settings: Final = settings
        self.index: Final = index
        self.policy: Final = policy
        self.scope: Final = scope
        self.memo: Final = memo


def rule_plan(
    ctx: ScreeningContext,
    rule: str,
    list_name: str,
    model: type[L],
    *,
    own_list: bool = True,
) -> ListPlan[L] | None:
    """The rule's plan under `ctx` (None: disabled, or its list is not loaded).

    The list is the settings' `list` when given and `own_list`, else `list_name`. Kept in
    `ctx.plans`, which lives as long as the context's party cache (whose scope it names) and
    is never shared with a context of another pack or other lists.
    """

    def build() -> ListPlan[L] | None:
        settings = ctx.pack.typed(rule, model)
        if settings is None:
            return None
        index = ctx.index((settings.list_name if own_list else None) or list_name)
        if index is None:
            return None
        policy = match_policy(settings, ctx, index)
        scope = ctx.parties.scope(index, policy)
        return ListPlan(settings, index, policy, scope, _text_memo(index, policy))

    return ctx.plan((rule, list_name, model, own_list), build)


# --- matches --------------------------------------------------------------------------------


class ListMatch(NamedTuple):
    """One subject (or piece of text) matched to one list entry, with its evidence."""

    subject: Subject
    entry: ListEntry
    method: str
    matched: str
    listed_as: str
    score: float
    strength: str = "identifier"
    """identifier, strong, fuzzy, weak-alias or person: what the action is decided by."""
    tokens: tuple[tuple[str, str], ...] = ()
    """The matcher's evidence: which query tokens matched which listed tokens, with weights."""


def list_matches(
    index: ListIndex,
    people: Iterable[Subject],
    policy: MatchPolicy,
    parties: PartyCache | None = None,
) -> list[ListMatch]:
    """Best match per (field, entry) over BIC, bank code and name; sorted for stability.

    Agents are matched against institutions only, never against persons, vessels or aircraft.
    With `parties`, what one subject matches is remembered across payments (per index and
    policy): the same bank or counterparty is searched once per list version.
    """
    best: dict[tuple[str, str], ListMatch] = {}
    scope = parties.scope(index, policy) if parties is not None else 0
    for who in people:
        found = (
            _subject_matches(index, who, policy)
            if parties is None
            else parties.lookup((scope, who), _subject_found, index, who, policy)
        )
        for match in found:
            _keep_best(best, match)
    return sorted(best.values(), key=lambda m: (m.subject.field, m.entry.entry_id))


def _subject_found(index: ListIndex, who: Subject, policy: MatchPolicy) -> tuple[ListMatch, ...]:
    return tuple(_subject_matches(index, who, policy))


def _subject_matches(index: ListIndex, who: Subject, policy: MatchPolicy) -> Iterator[ListMatch]:
    """The matches of one subject that count, in search order (a pure function of the three)."""
    skipped = policy.skip_kinds
    for match in _raw_matches(index, (who,), policy):
        kind = match.entry.kind
        if kind in skipped:
            continue
        if match.subject.is_agent and (kind in PERSON_KINDS or kind in NON_PARTY_KINDS):
            # Agents are banks: a bank named after a common given name is not that person.
            continue
        if kind in PERSON_KINDS and _namesake(match):
            continue
        yield match


def text_matches(
    index: ListIndex,
    texts: Iterable[TextMention],
    policy: MatchPolicy,
    parties: PartyCache | None = None,
) -> list[ListMatch]:
    """Best match per (field, entry) for list names and identifiers written in free text.

    With `parties`, what one text (in its field) matches is remembered across payments.
    """
    best: dict[tuple[str, str], ListMatch] = {}
    memo = _text_memo(index, policy)
    scope = parties.scope(index, policy) if parties is not None else 0
    for mention in texts:
        found = (
            _mention_matches(index, mention, policy, memo)
            if parties is None
            else parties.lookup((scope, mention), _mention_found, index, mention, policy, memo)
        )
        for match in found:
            _keep_best(best, match)
    return sorted(best.values(), key=lambda m: (m.subject.field, m.entry.entry_id))


def _mention_found(
    index: ListIndex, mention: TextMention, policy: MatchPolicy, memo: dict[Any, WindowHits]
) -> tuple[ListMatch, ...]:
    return tuple(_mention_matches(index, mention, policy, memo))


def _mention_matches(
    index: ListIndex, mention: TextMention, policy: MatchPolicy, memo: dict[Any, WindowHits]
) -> Iterator[ListMatch]:
    """Identifier and name matches of one text, in search order."""
    text = mention.text
    identifiers = identifiers_in_text(text)
    hits = memo.get(text)
    if hits is None:
        hits = _window_hits(index, text, policy, memo)
    if mention.whole:
        hits += _span_hits(index, text, policy, memo, whole=True)
    if not identifiers and not hits:
        return  # the common case: nothing listed in this text
    who = Subject(mention.field, text, None, False)
    for kind, code in identifiers:
        yield from _identifier_matches(index, who, kind, code)
    for window, hit in hits:
        yield _name_match(who, hit, window, "name-text", policy)


TEXT_MEMO_SIZE = 20_000
"""Texts remembered per list and policy before the memo starts afresh."""

WindowHits = tuple[tuple[str, NameHit], ...]


def _text_memo(index: ListIndex, policy: MatchPolicy) -> dict[Any, WindowHits]:
    """The index's memo of free-text results under `policy` (text -> window hits).

    One dict per policy, so that a lookup hashes the text only, not the policy with it.
    """
    memo: dict[Any, WindowHits] | None = index.text_memo.get(policy)
    if memo is None:
        if len(index.text_memo) >= POLICY_MEMO_SIZE:
            index.text_memo.clear()
        index.text_memo[policy] = memo = {}
    return memo


def _window_hits(
    index: ListIndex, text: str, policy: MatchPolicy, memo: dict[Any, WindowHits] | None = None
) -> WindowHits:
    """(window or span, hit) for every list name that counts in `text`, memoised on the index:
    runs of words that hold a listed name, and names the text presents as a party's."""
    if memo is None:
        memo = _text_memo(index, policy)
    found = memo.get(text)
    if found is not None:
        return found
    hits: list[tuple[str, NameHit]] = []
    windows: tuple[TextWindow, ...] = ()
    if not index.words.isdisjoint(window_ends(text, policy.text_window)):
        # Some window starts or ends with a listed word; the others are skipped below.
        windows = text_windows(text, policy.text_window)
    for window in windows:
        first, _, rest = window.text.partition(" ")
        if first not in index.words and rest.rpartition(" ")[2] not in index.words:
            continue  # neither end is a listed word: the run holds no listed name
        for hit in index.names.search(window.text, policy.text_threshold, truncated=False):
            if hit.entry.kind in policy.text_kinds_skipped:
                continue
            if not _text_hit_counts(hit, window, index.person_words, policy.text_common_names):
                continue
            if not countries_conflict(window.text, hit.alias):
                hits.append((window.text, hit))
    found = tuple(hits) + _span_hits(index, text, policy, memo)
    if len(memo) >= TEXT_MEMO_SIZE:
        memo.clear()
    memo[text] = found
    return found


def _span_hits(
    index: ListIndex,
    text: str,
    policy: MatchPolicy,
    memo: dict[Any, WindowHits],
    whole: bool = False,
) -> WindowHits:
    """(span, hit) for every list name that counts as a name the text presents as a party's
    (`rules.mentions.name_spans`: after "on behalf of", "c/o", ...; with `whole`, an unknown
    field that holds one short line). A span is searched as a whole name; memoised with the
    text's results (the whole-field reading under its own key)."""
    key = ("whole", text) if whole else None
    if key is not None:
        found = memo.get(key)
        if found is not None:
            return found
    hits: list[tuple[str, NameHit]] = []
    spans = whole_field(text) if whole else name_spans(text)
    for span in spans:
        for hit in index.names.search(span, policy.text_threshold, truncated=False):
            if hit.entry.kind in policy.text_kinds_skipped:
                continue
            if _span_hit_counts(hit, policy.text_common_names) and not countries_conflict(
                span, hit.alias
            ):
                hits.append((span, hit))
    found = tuple(hits)
    if key is not None:
        if len(memo) >= TEXT_MEMO_SIZE:
            memo.clear()
        memo[key] = found
    return found


def _span_hit_counts(hit: NameHit, common_names: bool = False) -> bool:
    """Whether a name hit on a name span (a name the text presents as a party's) is evidence.

    A span is a whole name, so whole-name equality with an organisation's weak alias (an
    acronym such as "HASM", "STEP A.S.") means what it means in a party field: a review at
    most. A person counts when the span is the listed name word for word (every word on both
    sides, each spelt as listed or as a known variant), never by a weak alias (a nickname); a
    name of common names only ("Ali Ahmed Hussein") only for a rule that accepts those in text
    (`text_common_names`): a text gives no country or account to tell namesakes apart.
    """
    if hit.entry.kind not in PERSON_KINDS:
        return True
    if hit.weak or not _word_for_word(hit):
        return False
    return common_names or not common_names_only(hit.alias)


def payment_matches(
    index: ListIndex,
    payment: Payment,
    policy: MatchPolicy,
    ctx: ScreeningContext | None = None,
) -> list[ListMatch]:
    """Every match of `payment` in one list: agents, parties (and their continued names, BICs
    and IBAN bank codes) and, unless the rule turns it off, its free text.

    With `ctx`, the payment's subjects and free text are read once per screening (its memo).
    """
    if ctx is None:
        found = list_matches(index, subjects(payment, agents=policy.screen_agents), policy)
        if policy.screen_text:
            found += text_matches(index, text_mentions(payment), policy)
        return found
    scope = ctx.parties.scope(index, policy)
    return _matches_in(index, policy, scope, _text_memo(index, policy), payment, ctx)


def plan_matches(plan: ListPlan[Any], payment: Payment, ctx: ScreeningContext) -> list[ListMatch]:
    """`payment_matches` for a rule's plan (its index and policy resolved once per context)."""
    return _matches_in(plan.index, plan.policy, plan.scope, plan.memo, payment, ctx)


def _matches_in(
    index: ListIndex,
    policy: MatchPolicy,
    scope: int,
    memo: dict[Any, WindowHits],
    payment: Payment,
    ctx: ScreeningContext,
) -> list[ListMatch]:
    """Subjects, then free text, each read from its party-cache record (`payment_records`)
    under `scope`: computed on the record's first reading under that scope, then remembered."""
    agents = policy.screen_agents
    matches = _best_of(
        (pair for pair in payment_records(payment, ctx) if agents or not pair[0].is_agent),
        scope,
        lambda who, _: tuple(_subject_matches(index, who, policy)),
        ctx,
    )
    if policy.screen_text:
        matches += _texts_in(index, policy, scope, memo, payment, ctx)
    return matches


def plan_text_matches(
    plan: ListPlan[Any], payment: Payment, ctx: ScreeningContext
) -> list[ListMatch]:
    """`text_matches` of the payment's free text for a rule's plan (IRAN-NEXUS's text test)."""
    return _texts_in(plan.index, plan.policy, plan.scope, plan.memo, payment, ctx)


def _texts_in(
    index: ListIndex,
    policy: MatchPolicy,
    scope: int,
    memo: dict[Any, WindowHits],
    payment: Payment,
    ctx: ScreeningContext,
) -> list[ListMatch]:
    return _best_of(
        text_records(payment, ctx),
        scope,
        lambda mention, _: _mention_found_in(index, mention, policy, memo),
        ctx,
    )


_Item = TypeVar("_Item", "Subject", "TextMention")


def _best_of(
    pairs: Iterable[tuple[_Item, Record]],
    scope: int,
    compute: Callable[[_Item, Record], tuple[ListMatch, ...]],
    ctx: ScreeningContext,
) -> list[ListMatch]:
    """The best match per (field, entry) over subjects or texts, each result read from the
    item's party-cache record under `scope`, or computed on its first reading there and kept."""
    best: dict[tuple[str, str], ListMatch] = {}
    hits = misses = 0
    for item, record in pairs:
        found = record.get(scope)
        if found is None:
            misses += 1
            found = record[scope] = compute(item, record)
        else:
            hits += 1
        for match in found:
            _keep_best(best, match)
    ctx.parties.count(hits, misses)
    return _in_order(best)


def _mention_found_in(
    index: ListIndex,
    mention: TextMention,
    policy: MatchPolicy,
    memo: dict[Any, WindowHits],
) -> tuple[ListMatch, ...]:
    """`_mention_found`, answered at once for most texts: no identifier, no name span, not a
    whole field, and no window that starts or ends with a listed word (exactly the case in
    which `_mention_matches` finds nothing), without touching the text memo. Both tests are
    memoised per text, so the lists after the first only compare sets."""
    if _quiet(mention) and index.words.isdisjoint(window_ends(mention.text, policy.text_window)):
        return ()
    return tuple(_mention_matches(index, mention, policy, memo))


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def _quiet(mention: TextMention) -> bool:
    """No identifier, no name span and not a whole field: only windows can name a party."""
    text = mention.text
    return not mention.whole and not identifiers_in_text(text) and not name_spans(text)


def _in_order(best: dict[tuple[str, str], ListMatch]) -> list[ListMatch]:
    """The best matches by (field, entry id): the stable order findings are built in."""
    if len(best) < 2:
        return list(best.values())
    return sorted(best.values(), key=_match_order)


def _match_order(match: ListMatch) -> tuple[str, str]:
    return (match.subject.field, match.entry.entry_id)


Record = dict[int, Any]
"""What the party cache remembers about one subject or text, by scope (PartyCache.record)."""


def payment_records(payment: Payment, ctx: ScreeningContext) -> tuple[tuple[Subject, Record], ...]:
    """Each subject of the payment (`payment_subjects`) with its party-cache record, fetched
    once per screening: every list rule then reads its own scope's result in the record."""
    return ctx.memoised(
        payment, "subject-records", lambda: ctx.parties.records(payment_subjects(payment, ctx))
    )


def text_records(payment: Payment, ctx: ScreeningContext) -> tuple[tuple[TextMention, Record], ...]:
    """Each free text of the payment (`payment_texts`) with its party-cache record."""
    return ctx.memoised(
        payment, "text-records", lambda: ctx.parties.records(payment_texts(payment, ctx))
    )


def payment_subjects(
    payment: Payment, ctx: ScreeningContext, *, agents: bool = True, continued: bool = True
) -> tuple[Subject, ...]:
    """`rules.mentions.subjects`, read once per screening and shared by the rules.

    Every variant is a filter of the full list (agents first, each party followed by its
    continued names), so the payment is read once whatever the rules ask.
    """
    every = ctx.memoised(payment, "subjects", lambda: tuple(subjects(payment)))
    if agents and continued:
        return every
    return ctx.memoised(
        payment,
        ("subjects", agents, continued),
        lambda: tuple(
            s for s in every if (agents or not s.is_agent) and (continued or not s.continued)
        ),
    )


def payment_texts(payment: Payment, ctx: ScreeningContext) -> tuple[TextMention, ...]:
    """`rules.mentions.text_mentions`, read once per screening and shared by the rules."""
    return ctx.memoised(payment, "texts", lambda: tuple(text_mentions(payment)))


def _keep_best(best: dict[tuple[str, str], ListMatch], match: ListMatch) -> None:
    key = (match.subject.field, match.entry.entry_id)
    if key not in best or _rank(match) > _rank(best[key]):
        best[key] = match


def _raw_matches(
    index: ListIndex, people: Iterable[Subject], policy: MatchPolicy
) -> Iterator[ListMatch]:
    for who in people:
        if who.bic:
            for entry in index.by_bic8.get(who.bic[:8].upper(), ()):
                yield ListMatch(who, entry, "bic", who.bic, who.bic, 1.0)
        if who.account:
            code = iban_bank_code(who.account)
            if code is not None:
                yield from _bank_code_matches(index, who, code, "iban-bank-code")
        if who.clearing_id:
            yield from _clearing_matches(index, who)
        if who.name:
            method = "name-continued" if who.continued else "name"
            kind = AGENT_KIND if who.is_agent else None
            for hit in index.names.search(who.name, policy.name_threshold, kind=kind):
                if hit.entry.kind in PERSON_KINDS and not person_evidence(hit):
                    continue
                if not countries_conflict(who.name, hit.alias):
                    yield _name_match(who, hit, who.name, method, policy)


def _clearing_matches(index: ListIndex, who: Subject) -> Iterator[ListMatch]:
    bic = clearing_bic(who.clearing_id)
    if bic:
        for entry in index.by_bic8.get(bic[:8], ()):
            yield ListMatch(who, entry, "clearing-id", who.clearing_id or bic, bic, 1.0)
    yield from _bank_code_matches(index, who, clearing_bank_code(who.clearing_id), "clearing-id")


def _bank_code_matches(
    index: ListIndex, who: Subject, code: BankCode | None, method: str
) -> Iterator[ListMatch]:
    if code is None:
        return
    for entry in index.by_bank_code.get((code.country, code.code), ()):
        score = 1.0 if code.checked else 0.95
        listed = f"{code.country} bank code {code.code}"
        yield ListMatch(who, entry, method, code.source, listed, score)


def _identifier_matches(
    index: ListIndex, who: Subject, kind: str, code: str
) -> Iterator[ListMatch]:
    if kind == "bic":
        for entry in index.by_bic8.get(code[:8], ()):
            yield ListMatch(who._replace(name=code), entry, "text-bic", code, code, 1.0)
    else:
        bank = iban_bank_code(code)
        yield from _bank_code_matches(index, who._replace(name=None), bank, "text-iban")


def _name_match(
    who: Subject, hit: NameHit, query: str, method: str, policy: MatchPolicy
) -> ListMatch:
    return ListMatch(
        who,
        hit.entry,
        method,
        query,
        hit.alias,
        hit.score,
        name_strength(hit, policy.strong_score, policy.exact_names_block, policy.aliases_block),
        token_evidence(hit),
    )


def _rank(match: ListMatch) -> tuple[int, float, int]:
    # Strong evidence first, then the score, then an identifier over a name at the same score.
    return (_STRENGTH_RANK[match.strength], match.score, 1 if match.strength == "identifier" else 0)


_STRENGTH_RANK = {
    "identifier": 4,
    "strong": 3,
    "alias": 2,
    "fuzzy": 1,
    "person": 1,
    "weak-alias": 0,
}


# --- country words ---------------------------------------------------------------------------

COUNTRY_WORDS = {
    "iraq": "IQ",
    "irak": "IQ",
    "iran": "IR",
    "persia": "IR",
    "syria": "SY",
    "syrian": "SY",
    "lebanon": "LB",
    "lebanese": "LB",
    "turkey": "TR",
    "turkiye": "TR",
    "jordan": "JO",
    "jordanian": "JO",
    "kuwait": "KW",
    "uae": "AE",
    "emirates": "AE",
    "afghanistan": "AF",
    "pakistan": "PK",
    "yemen": "YE",
    "oman": "OM",
    "qatar": "QA",
    "bahrain": "BH",
    "egypt": "EG",
    "russia": "RU",
    "belarus": "BY",
    "armenia": "AM",
    "malaysia": "MY",
}
"""Name words that say which country an institution belongs to, as their normalised tokens."""


@lru_cache(maxsize=NAME_MEMO_SIZE)
def countries_conflict(query: str, alias: str) -> bool:
    """Whether both names say which country they belong to and the countries differ.

    "National Bank of Iraq" is not "National Bank of Iran" however close the letters are: a
    country in the name is a fact about the institution, not a spelling.
    """
    asked = {COUNTRY_WORDS[t] for t in name_tokens(query) if t in COUNTRY_WORDS}
    if not asked:
        return False
    listed = {COUNTRY_WORDS[t] for t in name_tokens(alias) if t in COUNTRY_WORDS}
    return bool(listed) and not asked & listed


# --- evidence strength ------------------------------------------------------------------------


def name_strength(
    hit: NameHit, strong_score: float, exact_names_block: bool = False, aliases_block: bool = False
) -> str:
    """strong, alias, fuzzy, weak-alias or person, for a name hit (see the module docstring).

    The matcher classifies the hit (`NameHit.strength`): a near-exact match of the entry's
    primary name or of another strong alias, a fuzzy match, or whole-name equality with a weak
    alias (an OFAC quoted nickname, a short acronym). Strong evidence is a near-exact match of
    an entity's (not a person's) primary name that also scores at least `strong_score`.

    A near-exact match of another alias is "alias" evidence, a review: the SDN list gives
    entities a.k.a.s that are also people's names or generic phrases, and only the primary
    name is the entity's own (unless the primary name is met near-exact at `strong_score`
    too: `NameHit.primary_score`). A curated list (`aliases_block`) lists registered names
    only.
    """
    if hit.weak:
        return "weak-alias"
    if hit.entry.kind in PERSON_KINDS:
        return "person"
    if hit.score >= strong_score:
        if hit.strength == EXACT_PRIMARY:
            return "strong"
        if exact_names_block and _word_for_word(hit):
            return "strong"
        if hit.strength == STRONG_ALIAS:
            primary_too = hit.primary_score >= strong_score
            return "strong" if aliases_block or primary_too else "alias"
    return "fuzzy"


def _word_for_word(hit: NameHit) -> bool:
    """Every word on both sides matched, each spelt the same or as a known variant.

    The matcher does not call a name of generic words only near-exact ("Asia Iraq Islamic
    Bank"): on the SDN list such a name is shared by strangers. On a short curated bank list
    (the CBI's barred banks) that name, met word for word, is the bank's registered name, and
    a rule may say so (`exact_names_block`).
    """
    return (
        bool(hit.matched)
        and not hit.unmatched_query
        and not hit.unmatched_listed
        and all(m.similarity >= NEAR_EXACT_SIMILARITY for m in hit.matched)
    )


NEAR_EXACT = frozenset({EXACT_PRIMARY, STRONG_ALIAS})


def token_evidence(hit: NameHit) -> tuple[tuple[str, str], ...]:
    """The matcher's explanation of a hit (which words matched which, with weights; which were
    left over; the hit's own strength and the kinds compared), as evidence key/value pairs."""
    renamed = {"strength": "name_strength"}
    return tuple((renamed.get(k, k), v) for k, v in sorted(hit.evidence().items()))


def action_for(settings: ListRuleSettings, match: ListMatch) -> Action:
    """The rule's action on strong evidence; review at most on a name the evidence can't pin.

    OFAC-SDN and UN-SANCTIONS keep `individual_name_action` for persons (review by default).
    """
    if match.strength in ("identifier", "strong"):
        return settings.action
    if match.strength == "person":
        wanted = settings.individual_name_action
        return min(wanted, settings.action, Action.REVIEW, key=lambda a: a.rank)
    return min(settings.action, Action.REVIEW, key=lambda a: a.rank)


# --- free text ----------------------------------------------------------------------------


@lru_cache(maxsize=NAME_MEMO_SIZE)
def text_windows(text: str, longest: int) -> tuple[TextWindow, ...]:
    """Runs of 2..`longest` consecutive name tokens of `text`, each once, in text order.

    Free text is not a name: a listed name hides in it between other words ("on behalf of
    Kata'ib Hizballah for services"), so each run is searched on its own. Numbers end a run (no
    listed name holds an invoice number); single words are not searched (any one-word name
    would be everywhere). Each window keeps the words either side of it: a person's name in a
    text has no field boundary, so whether the name goes on is read from them.
    """
    return _text_windows(text, longest)


@lru_cache(maxsize=SHARED_NAME_MEMO_SIZE)
def window_ends(text: str, longest: int) -> tuple[str, ...]:
    """The first and last words of every window of `text`: a list none of them is in has no
    name there. Keyed by the text (whose hash Python keeps), asked once per list.

    Every word of a run of two or more words starts or ends one of its windows, so the ends
    are the words of those runs, read without building a window: most texts never need one.
    """
    ends: set[str] = set()
    if longest < 2:
        return ()
    run: list[str] = []  # a run goes on across a line break, not across a marker or number
    for line in text.split("\n"):
        for part, segment in enumerate(without_markers(line)):
            if part:
                if len(run) > 1:
                    ends.update(run)
                run = []
            for token in name_tokens(segment):
                if not token.isdigit():
                    run.append(token)
                    continue
                if len(run) > 1:
                    ends.update(run)
                run = []
    if len(run) > 1:
        ends.update(run)
    # A tuple, sorted: a memo entry of a few words (a small frozenset costs 216 bytes).
    return tuple(sorted(ends))


class TextWindow(NamedTuple):
    """A run of words of a free text, with the word before and after it ("" at an edge)."""

    text: str
    before: str
    after: str


def _text_windows(text: str, longest: int) -> tuple[TextWindow, ...]:
    # A line break ends a name as far as its neighbours go (the windows may still span it:
    # a name can wrap onto the next address line).
    # A party marker ("on behalf of", "c/o") ends a run too: it is no part of the name.
    # (`window_ends` reads the same runs.)
    runs: list[list[tuple[str, bool]]] = [[]]
    for line in text.split("\n"):
        for part, segment in enumerate(without_markers(line)):
            if part:
                runs.append([])
            first = True
            for token in name_tokens(segment):
                if token.isdigit():
                    runs.append([])
                else:
                    runs[-1].append((token, first))
                first = False
    seen: dict[TextWindow, None] = {}
    for run in runs:
        words = [word for word, _ in run]
        for start in range(len(run)):
            for end in range(start + 2, min(len(run), start + longest) + 1):
                before = words[start - 1] if start > 0 and not run[start][1] else ""
                after = words[end] if end < len(run) and not run[end][1] else ""
                seen.setdefault(TextWindow(" ".join(words[start:end]), before, after), None)
    return tuple(seen)


PERSON_NAME_WORDS = GIVEN_NAMES | FAMILY_NAMES | PERSON_PARTICLES
"""Words that continue a person's name: a listed person matched inside a longer name in free
text ("Ali Hassan" inside "Ali Hassan Mohammed") is another person."""


def _text_hit_counts(
    hit: NameHit, window: TextWindow, person_words: frozenset[str], common_names: bool = False
) -> bool:
    """Whether a name hit inside free text is evidence at all.

    A weak alias is matched by whole-name equality only, and a window of a text is no whole
    name: never. A person counts only by a near-exact match of a name that is not made of
    common names only, and only when the words around the window do not continue the
    name (the window is the whole name the text gives): a neighbour that is a common given or
    family name, or a word of any listed person's name, is read as more of the name. A rule
    with a short curated list may accept persons of common names met word for word
    (`text_common_names`: MILITIA-FRONT's facilitators).
    """
    if hit.weak:
        return False
    if hit.entry.kind in PERSON_KINDS:
        word_for_word = common_names and hit.score == 1.0
        if common_names_only(hit.alias) and not common_names:
            return False
        if hit.strength not in NEAR_EXACT and not word_for_word:
            # A text gives no country or account to tell namesakes apart: only a person's
            # distinctive name, written as listed, is evidence there.
            return False
        return not any(
            word in PERSON_NAME_WORDS or (len(word) > 2 and word in person_words)
            for word in (window.before, window.after)
        )
    return True


@lru_cache(maxsize=NAME_MEMO_SIZE)
def common_names_only(name: str) -> bool:
    """Whether every word of a person's name is a common given or family name (Ahmed Ali)."""
    tokens = name_tokens(name)
    return bool(tokens) and all(t in PERSON_NAME_WORDS for t in tokens)


def person_evidence(hit: NameHit) -> bool:
    """Whether a name hit on a listed person says anything about that person at all.

    Two classes of common-name coincidence do not:
    - a query word that is itself a common given or family name, matched to a different listed
      word through a typing-error variant ("Ali Barzani" against 'Ali Barkani'): Barzani is a
      family name in its own right, not a misspelling;
    - an alias of two common names only that is not the entry's primary name ("Ahmed
      Al-Jubouri", an a.k.a. of AL-JUBOURI, Ahmad Abdullah): a whole tribe can bear it, and the
      list gives it only as another way to write the person's longer name.
    """
    for pair in hit.matched:
        if (
            pair.similarity < NEAR_EXACT_SIMILARITY
            and pair.query in PERSON_NAME_WORDS
            and pair.query != pair.listed
        ):
            return False
    return not (
        hit.alias != hit.entry.primary_name
        and len(name_tokens(hit.alias)) <= 2
        and common_names_only(hit.alias)
    )


def _namesake(match: ListMatch) -> bool:
    """A person matched by a name made of common names only, and nothing places the listed
    person where the payment places the party: a namesake, not the listed person.

    Thousands of people are called "Ahmed Mohammed Ali"; the list says where its one lives
    (nationality, address). When the payment gives the party's country and the list does not
    name it (another country, or none at all), the name alone is no evidence. A distinctive
    name, or a party whose country the payment does not give, still counts.
    """
    if not match.method.startswith("name"):
        return False
    country = match.subject.country
    if country is None or country in match.entry.countries:
        return False
    return common_names_only(match.listed_as)


# --- findings ---------------------------------------------------------------------------------


def designation_finding(
    rule: str,
    settings: ListRuleSettings,
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
        action=action or action_for(settings, match),
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
        evidence=evidence(entry, match),
    )


def evidence(entry: ListEntry, match: ListMatch) -> dict[str, str]:
    """The finding's evidence: what was listed, how strong the match is and why."""
    found = {
        "listed_as": match.listed_as,
        "kind": entry.kind,
        "strength": match.strength,
        **matcher_evidence(match.method),
    }
    found.update(match.tokens)
    if match.method == "name-text" and match.subject.name:
        found["text"] = match.subject.name[:200]
    if entry.programs:
        found["programs"] = "/".join(entry.programs)
    if entry.date_confidence:
        found["date_confidence"] = entry.date_confidence
    if entry.remarks and len(entry.remarks) <= 500:
        found["list_remarks"] = entry.remarks
    return found


def how_matched(match: ListMatch) -> str:
    """`BIC X is listed` / `name "X" matches "Y" (score 0.93)`: the words of an explanation."""
    if match.method in ("bic", "text-bic"):
        where = " written in the text" if match.method == "text-bic" else ""
        return f"BIC {match.matched}{where} is listed"
    if match.method in ("iban-bank-code", "text-iban"):
        return f"account {match.matched} is at {match.listed_as}, a listed bank"
    if match.method == "clearing-id":
        return f"clearing id {match.matched} identifies a listed bank ({match.listed_as})"
    what = {"name-text": "text", "name-continued": "name continued on the next line"}.get(
        match.method, "name"
    )
    note = "" if match.strength in ("strong", "identifier") else f", {match.strength} evidence"
    return f'{what} "{match.matched}" matches "{match.listed_as}" (score {match.score:.2f}{note})'


Explain = Callable[[ListMatch, Payment], str]


def check_list_rule(
    rule: str, list_name: str, payment: Payment, ctx: ScreeningContext, explain: Explain
) -> list[Finding]:
    """The whole of a designation-list rule: search, date and currency scope, findings.

    CBI-USD-BAN, FINCEN-311 and MILITIA-FRONT are this function with their own list and words.
    """
    plan = rule_plan(ctx, rule, list_name, ListRuleSettings)
    if plan is None or not in_currency_scope(plan.settings, payment):
        return []
    settings, index = plan.settings, plan.index
    findings = []
    for match in plan_matches(plan, payment, ctx):
        entry = match.entry
        if not in_force(entry, ctx, payment) or not entry.covers_currency(payment.currency):
            continue
        found = designation_finding(rule, settings, index, match, explain(match, payment))
        findings.append(mark_retro(found, payment))
    return findings
