"""What screening found for a party, an agent or a text, remembered across payments.

Real traffic names the same few dozen banks and correspondents in almost every payment, and
customers pay the same counterparties again and again; what a list says about a subject depends
only on the subject (its field, name, identifiers, country), the list's index and the rule's
match policy, never on the rest of the payment. So the list rules look each subject up here
before they search (rules.listmatch, rules.iran, rules.vessel) and keep what they found.

The cache is owned by whoever builds the screening context (`ScreeningContext.parties`): a new
context (a list or exception reload) starts with an empty one, so nothing found against one
list version is ever read against another. It holds no globals and reads no clock; it is
bounded (least recently used entries go first), and counts its hits for the benchmarks.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

PARTY_CACHE_SIZE = 40_000
"""Entries remembered before the least recently used go: a subject's record (its results under
every list and policy, `record`) or one `(scope, subject)` result (`lookup`). About 900 bytes
each with the subject's strings (mostly empty results): 50,000 entries held 9 MiB more and
answered 69.3% of the lookups over 50,000 generated payments, 40,000 answered 67.7%. At this
size a worker stays under 400 MB over 50,000 payments (docs/benchmarks.md)."""

MAX_SCOPES = 1024
"""Distinct (index, policy) scopes before the cache starts afresh (a handful per pack)."""


class CacheStats(NamedTuple):
    """How the cache did: lookups answered from memory, lookups computed, entries held."""

    hits: int
    misses: int
    size: int
    capacity: int

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


class PartyCache:
    """A bounded least-recently-used memo of per-subject screening results.

    A result is remembered under a scope: `scope(owner, policy)` names what the result also
    depends on (the list index, the rule's frozen policy, an IRAN-NEXUS test), by identity for
    objects, so that a result is never read for another list or another policy. The list rules
    keep a subject's results in one record keyed by the subject (`record`: scope -> result),
    fetched once per payment; `lookup` keys one result by `(scope, subject)`.
    """

    __slots__ = ("_entries", "_next", "_scopes", "capacity", "hits", "misses")

    def __init__(self, capacity: int = PARTY_CACHE_SIZE) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._scopes: dict[tuple[int, Hashable], tuple[object, int]] = {}
        self._next = 0
        self.hits = 0
        self.misses = 0

    def scope(self, owner: object, policy: Hashable = None) -> int:
        """A small number naming (`owner` by identity, `policy` by value) for keys.

        The owner itself is held, so its id can never be taken by another object while the
        number is in use.
        """
        slot = (id(owner), policy)
        found = self._scopes.get(slot)
        if found is not None and found[0] is owner:
            return found[1]
        if len(self._scopes) >= MAX_SCOPES:
            self.clear()
        self._next += 1
        self._scopes[slot] = (owner, self._next)
        return self._next

    def lookup(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """The value remembered under `key`, else `compute(*args)` remembered.

        `compute` must be a pure function of what `key` names (scope and subject) and must not
        return None (None means "not remembered").
        """
        entries = self._entries
        found: T | None = entries.get(key)
        if found is not None:
            entries.move_to_end(key)
            self.hits += 1
            return found
        self.misses += 1
        found = compute(*args)
        self.put(key, found)
        return found

    def record(self, subject: Hashable) -> dict[int, Any]:
        """Everything remembered about `subject`, by scope (an empty record when new).

        A payment names each subject once and every list rule asks about it: the rules of one
        screening fetch the record once (rules.listmatch.payment_records) and read their own
        scope's result in it, instead of looking the subject up again per rule. A record is one
        entry of the cache (now the most recently used); its results count as hits and misses
        per scope (`found`, `count`). `subject` must not be a key of `lookup` (records are
        keyed by the subject itself, `lookup` keys by `(scope, subject)`).
        """
        entries = self._entries
        found: dict[int, Any] | None = entries.get(subject)
        if found is None:
            found = entries[subject] = {}
            if len(entries) > self.capacity:
                entries.popitem(last=False)
        else:
            entries.move_to_end(subject)
        return found

    def records(self, subjects: Iterable[K]) -> tuple[tuple[K, dict[int, Any]], ...]:
        """`record` of each subject, paired with it, in order (one call per payment)."""
        record = self.record
        return tuple((subject, record(subject)) for subject in subjects)

    def count(self, hits: int, misses: int) -> None:
        """Add what a caller read from records (`record`) to the statistics."""
        self.hits += hits
        self.misses += misses

    def get(self, key: Hashable) -> Any:
        """The value remembered under `key` (now the most recently used), or None."""
        entries = self._entries
        found = entries.get(key)
        if found is None:
            self.misses += 1
            return None
        entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, value: object) -> None:
        """Remember `value` (never None) under `key`, the least recently used going first."""
        entries = self._entries
        entries[key] = value
        if len(entries) > self.capacity:
            entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry and scope (scope numbers are never given out twice)."""
        self._entries.clear()
        self._scopes.clear()

    def stats(self) -> CacheStats:
        return CacheStats(self.hits, self.misses, len(self._entries), self.capacity)

    def __len__(self) -> int:
        return len(self._entries)
