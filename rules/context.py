"""The immutable inputs of a screening run: lists, their indexes and the rule pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.lists.base import ListSet, ReferenceList
from rules.matching.names import NameIndex
from rules.pack import RulePack
from schemas.listentry import ListEntry


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
    """Everything a rule may consult besides the payment. Build once, share read-only."""

    pack: RulePack
    lists: ListSet
    indexes: Mapping[str, ListIndex] = field(default_factory=dict)

    @classmethod
    def build(cls, pack: RulePack, lists: ListSet) -> ScreeningContext:
        indexes = {name: ListIndex.build(ref) for name, ref in lists.lists.items()}
        return cls(pack, lists, indexes)

    def index(self, list_name: str) -> ListIndex | None:
        return self.indexes.get(list_name)
