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
from typing import Any

from rules.lists.base import ListSet, ReferenceList
from streams import topics as names
from streams.kafka_config import kafka_python_security
from streams.settings import Settings
from streams.watchlists import FETCH_BYTES, MalformedRecord, decode_record

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
        from streams.list_files import load_lists

        lists = load_lists(self._settings.ofac_dir, self._settings.un_xml)
        overrides = read_watchlists(self._settings)
        return ListSet({**lists.lists, **overrides})


def read_watchlists(settings: Settings, timeout: float = 30.0) -> dict[str, ReferenceList]:
    """The lists on the `watchlists` topic (latest per key; a tombstone drops its list)."""
    from kafka import KafkaConsumer, TopicPartition

    topic = settings.topic(names.WATCHLISTS)
    found: dict[str, ReferenceList] = {}
    consumer: Any = None
    try:
        consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            client_id=f"{settings.app_id}-desk-lists",
            group_id=None,
            enable_auto_commit=False,
            allow_auto_create_topics=False,
            max_partition_fetch_bytes=FETCH_BYTES,
            fetch_max_bytes=FETCH_BYTES,
            request_timeout_ms=int(timeout * 1000) + 1000,
            **kafka_python_security(settings),
        )
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return found
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                log.error("reading %s timed out; using what was read", topic)
                break
            for batch in consumer.poll(timeout_ms=500).values():
                for record in batch:
                    _apply(found, record.key, record.value)
    except Exception as exc:  # the broker away: the files' lists stand
        log.warning("watchlists not read (%s): using the lists of the files only", exc)
    finally:
        if consumer is not None:
            consumer.close()
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
