"""The immutable inputs of a screening run: lists, their indexes and the rule pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from rules.lists.base import ListSet, ReferenceList
from rules.matching.names import NameIndex
from rules.pack import RulePack
from schemas.decision import Finding
from schemas.listentry import ListEntry
from schemas.payment import Payment


@dataclass(frozen=True)
class ListIndex:
    """One list with its lookups prepared: BIC8 -> entries, and a name index."""

    reference: ReferenceList
    names: NameIndex
    by_bic8: Mapping[str, tuple[ListEntry, ...]]

    @classmethod
    def build(cls, reference: ReferenceList) -> ListIndex:
        by_bic8: dict[str, list[ListEntry]] = {}
        for entry in reference.entries:
            for bic in entry.bics:
                by_bic8.setdefault(bic[:8].upper(), []).append(entry)
        frozen = {bic: tuple(entries) for bic, entries in by_bic8.items()}
        return cls(reference, NameIndex(reference.entries), frozen)


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

    @classmethod
    def build(cls, pack: RulePack, lists: ListSet, as_of: date | None = None) -> ScreeningContext:
        indexes = {name: ListIndex.build(ref) for name, ref in lists.lists.items()}
        return cls(pack, lists, indexes, as_of)

    def index(self, list_name: str) -> ListIndex | None:
        return self.indexes.get(list_name)

    def at(self, as_of: date | None) -> ScreeningContext:
        """The same lists, indexes and pack, evaluated as of another date (indexes are shared)."""
        return replace(self, as_of=as_of)


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
