"""The immutable inputs of a screening run: lists, their indexes and the rule pack."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from rules.lists.base import ListSet, ReferenceList
from rules.matching.names import NameIndex
from rules.matching.normalize import name_tokens
from rules.pack import RulePack
from rules.party_cache import PartyCache
from rules.suppression import ExceptionSet
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment


@dataclass(frozen=True)
class ListIndex:
    """One list with its lookups prepared: BIC8 -> entries, bank code -> entries, names."""

    reference: ReferenceList
    names: NameIndex
    by_bic8: Mapping[str, tuple[ListEntry, ...]]
    by_bank_code: Mapping[tuple[str, str], tuple[ListEntry, ...]] = field(default_factory=dict)
    """(country, code) -> entries: the bank code an Iraqi (4 letters) or Iranian (3 digits)
    IBAN or clearing id carries."""
    by_bic4: Mapping[str, tuple[ListEntry, ...]] = field(default_factory=dict)
    """A BIC's first four letters (the institution's code) -> entries with a BIC of that code."""
    person_words: frozenset[str] = frozenset()
    """Every word of a listed person's name: in free text, such a word next to a matched name
    says the name goes on (rules.listmatch)."""
    words: frozenset[str] = frozenset()
    """Every word of every listed name: a run of free text that neither starts nor ends with one
    cannot hold a listed name, so it is not searched (rules.listmatch)."""
    text_memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    """rules.listmatch's memo of free-text results for this list (addresses and remittance
    lines repeat from payment to payment); a pure cache that lives and dies with the index."""

    @classmethod
    def build(cls, reference: ReferenceList) -> ListIndex:
        by_bic8: dict[str, list[ListEntry]] = {}
        by_code: dict[tuple[str, str], list[ListEntry]] = {}
        by_bic4: dict[str, list[ListEntry]] = {}
        for entry in reference.entries:
            for bic in entry.bics:
                by_bic8.setdefault(bic[:8].upper(), []).append(entry)
            for code in dict.fromkeys(bic[:4].upper() for bic in entry.bics):
                by_bic4.setdefault(code, []).append(entry)
            for key in bank_code_keys(entry):
                by_code.setdefault(key, []).append(entry)
        return cls(
            reference,
            NameIndex(reference.entries),
            {bic: tuple(entries) for bic, entries in by_bic8.items()},
            {key: tuple(entries) for key, entries in by_code.items()},
            {code: tuple(entries) for code, entries in by_bic4.items()},
            frozenset(
                token
                for entry in reference.entries
                if entry.kind == "individual"
                for name in entry.names
                for token in name_tokens(name)
            ),
            frozenset(
                token
                for entry in reference.entries
                for name in (*entry.names, *entry.names_original_script)
                for token in name_tokens(name)
            ),
        )


def bank_code_keys(entry: ListEntry) -> list[tuple[str, str]]:
    """The IBAN bank codes that identify `entry`'s bank, with the IBAN country they belong to.

    Iraqi IBANs carry the first four letters of the bank's BIC, so an Iraqi BIC gives its code
    even when the list did not write it; Iranian codes are three digits (the Central Bank of
    Iran's clearing code) and only come from the list.
    """
    keys = [("IQ", bic[:4].upper()) for bic in entry.bics if bic[4:6].upper() == "IQ"]
    for code in entry.iban_bank_codes:
        if len(code) == 3 and code.isdigit():
            keys.append(("IR", code))
        elif len(code) == 4 and code.isalpha():
            keys.append(("IQ", code.upper()))
    return list(dict.fromkeys(keys))


T = TypeVar("T")
DERIVED_SIZE = 1024
"""Values `ScreeningContext.derive` keeps before it starts afresh (a handful per pack in use)."""
PLANS_SIZE = 1024
"""Plans a context keeps before it starts afresh (one per rule in use, per list date for some)."""
_NO_PLAN = object()


class PaymentMemo:
    """What the rules read out of one payment (its subjects, its free text), read once.

    Every list rule asks the same payment the same questions; the engine gives each screening
    its own memo (`ScreeningContext.for_payment`), so the answers are shared between the rules
    of that one screening and dropped with it. Tied to the payment by identity: a rule called
    with another payment computes afresh.
    """

    __slots__ = ("payment", "values")

    def __init__(self, payment: Payment) -> None:
        self.payment = payment
        self.values: dict[Hashable, Any] = {}


@dataclass(frozen=True)
class ScreeningContext:
    """Everything a rule may consult besides the payment. Build once, share read-only.

    `as_of` None (the live default) screens each payment against the lists as they stood on its
    value date. A date screens every payment against the lists as they stand on that date
    (replay's retro-screening and what-if modes); the caller supplies it, the core reads no clock.
    """

    pack: RulePack
    lists: ListSet
    indexes: Mapping[str, ListIndex] = field(default_factory=dict)
    as_of: date | None = None
    memo: PaymentMemo | None = field(default=None, compare=False, repr=False)
    """The per-screening memo (`for_payment`); None outside a screening."""
    exceptions: ExceptionSet = field(default_factory=ExceptionSet)
    """Approved good-guy exceptions (rules/suppression.py); the workers follow the desk's
    `exceptions` topic (streams/exceptions_follow.py)."""
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    """What rules derive from the pack and lists alone (`derive`), shared by this context and
    its copies; a pure cache that lives and dies with them."""
    parties: PartyCache = field(default_factory=PartyCache, init=False, compare=False, repr=False)
    """What the list rules found per party, agent and text (rules/party_cache.py), for these
    lists: built empty with every context, so a list or exception reload (a new context, or a
    `dataclasses.replace` copy) never reads what was found before it. Shared by `for_payment`
    and `at` copies, which keep the lists and the pack."""
    plans: dict[Hashable, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """How each rule runs under this context (rules.listmatch.rule_plan: its typed settings,
    list index, match policy and party-cache scope), resolved once instead of per payment;
    shared with the copies that share `parties` (a plan names a scope of that cache), built
    empty with any other copy."""

    @classmethod
    def build(cls, pack: RulePack, lists: ListSet, as_of: date | None = None) -> ScreeningContext:
        indexes = {name: ListIndex.build(ref) for name, ref in lists.lists.items()}
        return cls(pack, lists, indexes, as_of)

    def index(self, list_name: str) -> ListIndex | None:
        return self.indexes.get(list_name)

    def at(self, as_of: date | None) -> ScreeningContext:
        """The same lists, indexes and pack, evaluated as of another date (indexes and party
        cache are shared: what a list says about a subject does not depend on the date)."""
        return self._sharing_parties(replace(self, as_of=as_of))

    def for_payment(self, payment: Payment) -> ScreeningContext:
        """This context with a fresh memo for screening `payment` (lists and pack shared)."""
        return self._sharing_parties(
            ScreeningContext(
                self.pack,
                self.lists,
                self.indexes,
                self.as_of,
                PaymentMemo(payment),
                self.exceptions,
                self.derived,
            )
        )

    def _sharing_parties(self, copy: ScreeningContext) -> ScreeningContext:
        # Not __init__ fields, so that `replace` (another pack, exceptions) starts afresh.
        object.__setattr__(copy, "parties", self.parties)
        object.__setattr__(copy, "plans", self.plans)
        return copy

    def derive(self, key: Hashable, owner: object, compute: Callable[[], T]) -> T:
        """`compute()` once per (`key`, `owner`, pack, indexes) for the life of this context.

        `compute` must be a pure function of `owner` (a frozen pack settings object, say) and of
        this context's pack and indexes, never of a payment or of `as_of`. The memo holds the
        objects themselves, so a copy with another pack or lists (`dataclasses.replace`), or an
        object that later gets the same id, computes afresh.
        """
        slot = (key, id(owner), id(self.pack), id(self.indexes))
        found = self.derived.get(slot)
        if (
            found is not None
            and found[0] is owner
            and found[1] is self.pack
            and found[2] is self.indexes
        ):
            value: T = found[3]
            return value
        if len(self.derived) >= DERIVED_SIZE:
            self.derived.clear()
        value = compute()
        self.derived[slot] = (owner, self.pack, self.indexes, value)
        return value

    def plan(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` once per `key` under this context and the copies that share its plans
        (a rule's resolved settings, index, policy and party-cache scope); None is kept too."""
        plans = self.plans
        found = plans.get(key, _NO_PLAN)
        if found is not _NO_PLAN:
            known: T = found
            return known
        if len(plans) >= PLANS_SIZE:
            plans.clear()
        plans[key] = value = build()
        return value

    def memoised(self, payment: Payment, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once per screening of `payment` when this context carries its memo.

        `compute` must be a pure function of the payment (and `key` name everything else it
        reads): the value is shared by every rule of the screening.
        """
        memo = self.memo
        if memo is None or memo.payment is not payment:
            return compute()
        values = memo.values
        if key in values:
            found: T = values[key]
            return found
        values[key] = value = compute()
        return value


def list_date(ctx: ScreeningContext, payment: Payment) -> date:
    """The day whose list state applies: the as-of date of a retro run, else the value date."""
    return ctx.as_of or payment.value_date


def in_force(entry: ListEntry, ctx: ScreeningContext, payment: Payment) -> bool:
    """Whether `entry` applies to `payment` under this context's as-of rule. Every list rule
    asks this one question, so live screening and every replay mode agree on list validity."""
    return entry.in_force_on(list_date(ctx, payment))


def mark_retro(finding: Finding, payment: Payment) -> Finding:
    """Mark a finding whose entry was listed after the payment's value date.

    Such a finding can only arise when screening as of a later date: the bank could not have
    known then, and an auditor must see that at a glance (retro=True) and in the explanation.
    """
    listed = finding.listed_from
    if listed is None or listed <= payment.value_date or finding.retro:
        return finding
    note = (
        f" Entry listed on {listed}, after the payment's value date {payment.value_date} "
        f"(retro-screening)."
    )
    return finding.model_copy(update={"retro": True, "explanation": finding.explanation + note})
