"""What changed between two versions of a list: the diff `lists diff` prints, and the delta
that re-screening matches.

A delta holds the entries a payment could newly match: the added ones and the new form of the
changed ones (a new alias, BIC or program). Removed entries cannot raise anything, so they are
left out. The delta is itself a ReferenceList with the new list's name and version, so the
screening core (rules.engine, rules.listmatch) runs on it unchanged and every finding cites
the version that was published.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.lists.base import ReferenceList
from schemas.listentry import ListEntry


@dataclass(frozen=True)
class ListDiff:
    """Entries of B compared with A, by entry id."""

    added: tuple[ListEntry, ...]
    removed: tuple[ListEntry, ...]
    changed: tuple[tuple[ListEntry, ListEntry, tuple[str, ...]], ...]
    unchanged: int


def diff_lists(a: ReferenceList, b: ReferenceList) -> ListDiff:
    """Added, removed and changed entries (with the fields that changed), in id order."""
    old = {e.entry_id: e for e in a.entries}
    new = {e.entry_id: e for e in b.entries}
    changed = []
    for entry_id in sorted(old.keys() & new.keys()):
        fields = changed_fields(old[entry_id], new[entry_id])
        if fields:
            changed.append((old[entry_id], new[entry_id], fields))
    return ListDiff(
        added=tuple(new[i] for i in sorted(new.keys() - old.keys())),
        removed=tuple(old[i] for i in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
        unchanged=len(old.keys() & new.keys()) - len(changed),
    )


def changed_fields(a: ListEntry, b: ListEntry) -> tuple[str, ...]:
    """The names of the fields whose values differ between two forms of one entry."""
    if a == b:
        return ()
    left, right = a.model_dump(), b.model_dump()
    return tuple(k for k in left if left[k] != right.get(k))


def list_delta(old: ReferenceList | None, new: ReferenceList) -> ReferenceList:
    """The entries of `new` that `old` did not have in that form, as a list named and
    versioned like `new` (the whole of `new` when there was no old version)."""
    if old is None:
        entries = new.entries
    else:
        result = diff_lists(old, new)
        entries = tuple(sorted((*result.added, *(b for _, b, _ in result.changed)), key=_by_id))
    return ReferenceList(
        new.name,
        new.version,
        tuple(entries),
        title=new.title,
        published=new.published,
        source=new.source,
    )


def _by_id(entry: ListEntry) -> str:
    return entry.entry_id
