"""Re-screening stored payments against a list delta: which of them the new entries now hit.

When a list changes, only its added and changed entries (rules.lists.delta.list_delta) can
raise anything new. They are screened through the one screening core (rules.engine with a
context holding just the delta), so a retro finding is exactly the finding live screening
would make with the delta loaded, as of the re-screening day (`as_of`): an entry designated
after the payment's value date is in force and the finding is marked retro (mark_retro).

Most stored payments cannot touch a 50-entry delta at all, and running every rule over each of
a million payments costs hundreds of microseconds apiece. `DeltaProbe` decides that cheaply and
soundly first: a payment can only be hit through one of the strings the rules read (names,
addresses, BICs, accounts, clearing ids, free text, unknown fields), read as the rules read it:
a name through the rules' own search at the pack's lowest threshold; free text through the
windows the core searches (those that start or end with a listed word), its party-marker spans
and, for an unknown field, the whole string; identifiers through rules.mentions' readers. The
verdict is remembered per distinct string, per window, per free text with its numbers masked
and per group of a payment's parties' strings: payment after payment repeats the same names,
banks and words. Payments that pass the probe are screened in full; the others are skipped
without being decoded when the store's record carries the payment's `probe_form`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

from rules.context import ListIndex, ScreeningContext, bank_code_keys
from rules.engine import screen_payment
from rules.listmatch import text_windows
from rules.lists.base import ListSet, ReferenceList
from rules.lists.builtin import JURISDICTIONS_LIST
from rules.mentions import (
    SWIFT_NAME_LINE,
    clearing_bank_code,
    clearing_bic,
    continued_names,
    iban_bank_code,
    identifiers_in_text,
    name_spans,
    whole_field,
)
from rules.pack import DEFAULT_TEXT_WINDOW, ListRuleSettings, RulePack
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
NAME, AGENT_NAME, TEXT, EXTRA, CODE = "name", "agent-name", "text", "extra", "code"
"""How a string is read: a party's or an agent's name, free text (remittance, address lines),
a string of an unknown field (free text that may also be a name on its own:
rules.mentions.whole_field), or an identifier."""

_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9]+(?![A-Za-z0-9])")
"""A number written as a word of its own (ASCII text)."""

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
    window: int = DEFAULT_TEXT_WINDOW
    """The longest free-text window any rule of the pack searches (rules.listmatch)."""
    verdicts: dict[tuple[str, str], bool] = field(default_factory=dict)
    groups: dict[str, bool] = field(default_factory=dict)
    """Verdicts of the parties' strings of a probe form, as one group."""
    text_verdicts: dict[tuple[str, str], bool] = field(default_factory=dict)
    """Free-text windows' verdicts by masked text: invoice and reference numbers make almost
    every remittance line new, its words repeat."""
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
            longest_text_window(pack),
        )

    def touches(self, text: str, how: str = TEXT) -> bool:
        """Whether this string, read `how` (NAME, AGENT_NAME, TEXT, EXTRA or CODE), could hold
        a delta name or identifier (remembered per string and reading; free text's windows
        per masked text)."""
        if how in (TEXT, EXTRA):
            return self._text_touches(text, how)
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
        # The rules' own search (rules.listmatch, rules.iran): a name that has no hit at the
        # lowest threshold has none at any threshold a rule uses (hits at a higher threshold
        # are a subset), and the rules only drop hits after it.
        kind = "bank" if how == AGENT_NAME else None
        return bool(self.index.names.search(text, self.threshold, kind=kind))

    def _text_touches(self, text: str, how: str) -> bool:
        """A free text, read as rules.listmatch.text_matches reads it: its identifiers, IMO
        numbers and vessels; the names it presents as a party's (`name_spans`, and for an
        unknown field the whole string: `whole_field`), searched whole; and its windows, runs
        of words between numbers and party markers, searched only when one starts or ends
        with a listed word. Each search is the rules' own at the lowest threshold (hits at
        the rules' text thresholds are a subset; the rules drop hits only after it) and is
        remembered per name or window, and the windows' verdict per `masked` text: an invoice
        number makes no window new."""
        if self._identifies_in_text(text) or any(n in text.upper() for n in self.numbers):
            return True
        if self.vessels is not None and any(find_vessels(text, self.vessels)):
            return True  # OIL-VESSEL's own phrase and IMO search
        search, threshold = self.index.names.search, self.threshold
        masked = self.masked(text)
        key = (masked, how)
        found = self.text_verdicts.get(key)
        if found is None:
            words = self.index.words
            found = any(
                search(window.text, threshold, truncated=False)
                for window in text_windows(masked, self.window)
                if window.text.partition(" ")[0] in words or window.text.rpartition(" ")[2] in words
            )
            if len(self.text_verdicts) >= VERDICT_MEMO_SIZE:
                self.text_verdicts.clear()
            self.text_verdicts[key] = found
        if found:
            return True
        # Whether a party marker opens a span does not depend on the numbers (memoised by the
        # masked text); the spans themselves are searched as written.
        spans = name_spans(text) if name_spans(masked) else ()
        if how == EXTRA:
            spans += whole_field(text)
        return any(search(span, threshold, truncated=False) for span in spans)

    def masked(self, text: str) -> str:
        """`text` with every number written as a word of its own replaced by "0": the same
        windows (rules.listmatch.text_windows), since the normaliser tests character classes
        only (no synonym, article, stop word or phrase holds a digit) and a number ends a run
        of words whatever its digits. Non-ASCII text (transliterated) is not masked."""
        if not text.isascii():
            return text
        return _NUMBER.sub("0", text)

    def _identifies_in_text(self, text: str) -> bool:
        """A free text names a delta bank as rules.listmatch.text_matches reads it: a BIC or
        IBAN written in it (identifiers_in_text), or the whole string a BIC."""
        if not self.bank_codes and not self.bank_keys:
            return False
        return self._whole_bic(text) or self._written_in(text)

    def _identifies(self, text: str) -> bool:
        """The string, read as the core reads a BIC, account, clearing id or free text,
        names a delta bank (rules.mentions' own readers)."""
        if self._whole_bic(text):
            return True
        for bank in (iban_bank_code(text), clearing_bank_code(text)):
            if bank is not None and (bank.country, bank.code) in self.bank_keys:
                return True
        bic = clearing_bic(text)
        if bic is not None and bic[:4] in self.bank_codes:
            return True
        return self._written_in(text)

    def _whole_bic(self, text: str) -> bool:
        """The whole string is a BIC of a delta bank."""
        upper = text.strip().upper()
        return len(upper) in (8, 11) and upper.isalnum() and upper[:4] in self.bank_codes

    def _written_in(self, text: str) -> bool:
        """A BIC or IBAN of a delta bank is written somewhere in the text."""
        for kind, code in identifiers_in_text(text):
            if kind == "bic" and code[:4] in self.bank_codes:
                return True
            bank = iban_bank_code(code) if kind == "iban" else None
            if bank is not None and (bank.country, bank.code) in self.bank_keys:
                return True
        return False

    def form_touches(self, form: str) -> bool:
        """Whether a payment, given by its `probe_form`, could be hit by the delta: the same
        verdict as `payment_touches` on its JSON. The parties' strings are judged as a group
        (remembered per group: a debtor and creditor pair recurs), the payment's own strings
        one by one."""
        if self.every_payment:
            self.candidates += 1
            return True
        parties, _, own = form.partition(PROBE_GROUPS)
        found = self.groups.get(parties)
        if found is None:
            found = self._strings_touch(parties)
            if len(self.groups) >= VERDICT_MEMO_SIZE:
                self.groups.clear()
            self.groups[parties] = found
        if found or self._strings_touch(own):
            self.candidates += 1
            return True
        return False

    def _strings_touch(self, strings: str) -> bool:
        touches, by_code = self.touches, _BY_CODE
        return any(
            touches(entry[1:], by_code[entry[0]])
            for entry in strings.split(PROBE_SEPARATOR)
            if entry
        )

    def payment_touches(self, payment: Mapping[str, Any]) -> bool:
        """Whether a stored payment (its JSON as a dict) could be hit by the delta."""
        touches = self.touches
        strings = screened_strings(payment)
        if self.every_payment or any(touches(text, how) for text, how in strings):
            self.candidates += 1
            return True
        return False


def longest_text_window(pack: RulePack) -> int:
    """The longest `text_window` of the pack's rules: the windows of a shorter one are among
    its windows, so their first and last words too."""
    found = [DEFAULT_TEXT_WINDOW]
    for rule in pack.rules:
        window = getattr(pack.settings(rule), "text_window", None)
        if isinstance(window, int):
            found.append(window)
    return max(found)


PROBE_SEPARATOR = "\x1e"
"""Between two strings of a probe form (a control character no payment string holds)."""
PROBE_GROUPS = "\x1d"
"""Between the parties' strings and the payment's own strings of a probe form."""
READINGS = {NAME: "N", AGENT_NAME: "A", TEXT: "T", EXTRA: "X", CODE: "C"}
_BY_CODE = {code: how for how, code in READINGS.items()}


PARTY_FORMS_SIZE = 8_192
"""Parties and agents whose probe strings a caller's memo keeps before it starts afresh. Over
50,000 generated payments 8,192 answered 75.6% of the lookups and 20,000 answered 80.5%, for
about 550 bytes an entry (6 MiB more at the larger size)."""

PartyForms = MutableMapping[tuple[str, str], tuple[str, ...] | None]
"""(field, the party's JSON) -> its probe strings, or None when one holds a separator."""


def probe_form(payment: Mapping[str, Any], parties_memo: PartyForms | None = None) -> str | None:
    """`screened_strings` of a payment's JSON as one string, each prefixed with its reading's
    letter: the strings of its parties and agents first (names, codes, addresses: they recur
    from payment to payment together), then, after PROBE_GROUPS, its own (remittance, unknown
    fields). None when a string holds a separator (the record is then read the slow way).
    Stored beside the payment (streams.rescreen_store) so that re-screening reads it without
    decoding the payment. With `parties_memo` (owned by the caller, bounded here), a party or
    agent seen before is not walked again: the same banks and counterparties recur."""
    parties: list[str] = []
    own: list[str] = []
    for key, value in payment.items():
        if key in NOT_SCREENED:
            continue
        if key in PARTIES:
            strings = (
                _field_form(key, value)
                if parties_memo is None
                else (_remembered_form(key, value, parties_memo))
            )
        else:
            strings = _field_form(key, value)
        if strings is None:
            return None
        (parties if key in PARTIES else own).extend(strings)
    return PROBE_SEPARATOR.join(parties) + PROBE_GROUPS + PROBE_SEPARATOR.join(own)


def _field_form(key: str, value: Any) -> tuple[str, ...] | None:
    strings: list[str] = []
    for text, how in screened_strings({key: value}):
        if PROBE_SEPARATOR in text or PROBE_GROUPS in text:
            return None
        strings.append(READINGS[how] + text)
    return tuple(strings)


def _remembered_form(key: str, value: Any, memo: PartyForms) -> tuple[str, ...] | None:
    """The field's probe strings, keyed by its canonical JSON (the strings depend on nothing
    else). The key holds the JSON as a str: the bytes object orjson returns keeps the 4 KiB
    buffer it was written in, so 20,000 bytes keys held 80 MiB; their str copies hold about
    the JSON's length."""
    memo_key = (key, orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
    if memo_key in memo:
        return memo[memo_key]
    if len(memo) >= PARTY_FORMS_SIZE:
        memo.clear()
    memo[memo_key] = found = _field_form(key, value)
    return found


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
    rules.mentions.text_mentions joins them) or EXTRA (every string of an unknown field, an
    agent's address lines included). Reads the JSON, not the model: most payments are never
    decoded."""
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
        elif key == "remittance_info":
            yield from _strings(value, TEXT)
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
    if how == AGENT_NAME:
        # An agent has no address field: its address, whatever its shape, is an unknown field.
        yield from _strings(address)
    for key, value in party.items():
        if key in CODE_FIELDS:
            if isinstance(value, str) and value:
                yield value, CODE
        elif key not in ("name", "address"):
            yield from _strings(value)


def _strings(value: Any, how: str = EXTRA, depth: int = 0) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if value:
            yield value, how
    elif isinstance(value, Mapping):
        if depth < 6:
            for item in value.values():
                yield from _strings(item, how, depth + 1)
    elif isinstance(value, list) and depth < 6:
        for item in value:
            yield from _strings(item, how, depth + 1)


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
