"""The lists as the workers screen with them, for the desk: an exception's entry hash is taken
from them when it is approved (desk/exceptions.py).

The workers' lists are their own files (built-in lists, DINARWATCH_OFAC_DIR, DINARWATCH_UN_XML)
overridden by the compacted `watchlists` topic; the desk reads both the same way (same settings,
same topic) when an approval asks, and keeps the result for a minute (the full SDN takes
seconds to load). A broker that is away leaves the files' lists: an approval then succeeds only
when the list version still matches the alert's, so nothing unverified is granted.
"""

from __future__ import annotations

import logging
import threading
import time

from infra import topics as names
from infra.settings import Settings
from infra.topic_feed import TopicFeed, read_whole
from lists.wire import FETCH_BYTES, MalformedRecord, decode_record
from rules.lists.base import ListSet, ReferenceList

log = logging.getLogger("dinarwatch.desk.lists")

CACHE_SECONDS = 60.0


class WorkerLists:
    """`EntryLookup` over the lists of `settings` plus the `watchlists` topic."""

    def __init__(self, settings: Settings, cache_seconds: float = CACHE_SECONDS) -> None:
        self._settings = settings
        self._cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._loaded: tuple[float, ListSet] | None = None

    def current_list(self, name: str) -> ReferenceList | None:
        return self.lists().get(name)

    def lists(self) -> ListSet:
        with self._lock:
            if self._loaded is None or time.monotonic() - self._loaded[0] > self._cache_seconds:
                self._loaded = (time.monotonic(), self._load())
            return self._loaded[1]

    def _load(self) -> ListSet:
        from lists.files import load_lists

        lists = load_lists(self._settings.ofac_dir, self._settings.un_xml)
        overrides = read_watchlists(self._settings)
        return ListSet({**lists.lists, **overrides})


def read_watchlists(settings: Settings, timeout: float = 30.0) -> dict[str, ReferenceList]:
    """The lists on the `watchlists` topic (latest per key; a tombstone drops its list)."""
    found: dict[str, ReferenceList] = {}
    try:
        read = read_whole(
            TopicFeed(settings, names.WATCHLISTS, "desk-lists", fetch_bytes=FETCH_BYTES),
            timeout,
            request_timeout_ms=int(timeout * 1000) + 1000,
        )
    except Exception as exc:  # the broker away: the files' lists stand
        log.warning("watchlists not read (%s): using the lists of the files only", exc)
        return found
    for key, value in read[0] if read else ():
        _apply(found, key, value)
    return found


def _apply(found: dict[str, ReferenceList], key: bytes | None, value: bytes | None) -> None:
    if not key:
        return
    name = key.decode("utf-8", "replace")
    if value is None:
        found.pop(name, None)
        return
    try:
        item = decode_record(key, value)
    except MalformedRecord:
        return
    if isinstance(item, ReferenceList):
        found[name] = item
