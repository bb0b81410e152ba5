"""Bounded memory of alert ids already notified: a TTL'd, size-capped, insertion-ordered set.

An alert id is deterministic (payment, rule, rule pack version), so the same alert replayed or
redelivered (the pipeline is at-least-once) carries the same id and is dropped here. Memory is
bounded twice: entries expire after `ttl` seconds and the oldest go first past `max_entries`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class TTLSet:
    def __init__(
        self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        self._expire()
        return key in self._seen

    def __len__(self) -> int:
        self._expire()
        return len(self._seen)

    def add(self, key: str) -> None:
        """Remember `key` from now on (re-adding refreshes its age)."""
        self._seen.pop(key, None)
        self._seen[key] = self._clock()
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)

    def _expire(self) -> None:
        cutoff = self._clock() - self.ttl
        while self._seen:
            key, added = next(iter(self._seen.items()))
            if added > cutoff:
                break
            del self._seen[key]
