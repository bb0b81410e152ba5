"""Live reference lists in the worker: the compacted `watchlists` topic followed, and hot reload.

The records' format is lists/wire.py (written by `lists publish` and `lists fetch`).

Hot reload (`register_watchlists`): every worker needs every list, so no consumer group is used.
At app creation the worker reads the topic to its end with kafka-python (blocking, before any
agent runs: a worker never screens a payment with lists older than the topic's), then a Faust
task follows the topic with an aiokafka consumer assigned to all partitions from the offsets
reached. Trade-offs of this choice over the alternatives:
  - a Faust GlobalTable would also give every worker every key, but it would make the topic a
    Faust changelog (Faust's naming and serialization), store multi-MB values in RocksDB a
    second time, and offer no hook to rebuild the name index once per batch of changes;
  - an agent with a unique consumer group per worker leaves one dead group per restart on
    the broker and commits offsets that are never used (the state is re-read at every start);
  - a plain consumer stores no offsets: each start re-reads the whole compacted topic (a few
    MB, about a second with the full SDN), which is exactly the "latest state" semantics.
A batch of records is applied together and the context rebuilt once, in a thread
(run_in_executor) so the event loop keeps serving; only the lists whose version changed get a
new index. The new context is swapped in with one assignment (WorkerRuntime.swap_context):
a payment is screened wholly against the old or wholly against the new lists. A record that
cannot be decoded is logged and counted (dinarwatch_watchlist_records_total{outcome=
"malformed"}) and skipped; a failed rebuild keeps the previous context.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from prometheus_client import Counter, Histogram

from infra import topics as names
from infra.settings import Settings
from infra.topic_feed import MALFORMED, RecordDecoder, Records, TopicFeed
from infra.topic_feed import catch_up as catch_up_feed
from infra.topic_feed import follow as follow_feed
from lists.wire import FETCH_BYTES, PACK_KEY_PREFIX, MalformedRecord, decode_record
from rules.context import ListIndex, ScreeningContext
from rules.lists.base import ListSet, ReferenceList
from rules.pack import RulePack
from streams.runtime import WorkerRuntime

log = logging.getLogger("dinarwatch.watchlists")

CATCH_UP_TIMEOUT_S = 60.0
_REGISTERED = "_dinarwatch_watchlists"
_DECODER = RecordDecoder("watchlists", decode_record, MalformedRecord, log, detail=500)


# --- state: what the topic says, on top of what the worker loaded itself ----------------------


@dataclass
class WatchlistState:
    """The worker's own lists and pack (from files/settings) plus the topic's overrides.

    A topic record replaces the list of the same name (or adds a list the worker had no file
    for); a tombstone returns to the worker's own. Rule packs apply only when their name is the
    worker's configured pack: workers running a what-if pack ignore the live one.
    """

    base_lists: ListSet
    base_pack: RulePack
    lists: dict[str, ReferenceList] = field(default_factory=dict)
    pack: RulePack | None = None

    @classmethod
    def of(cls, ctx: ScreeningContext) -> WatchlistState:
        return cls(ctx.lists, ctx.pack)

    def apply(self, key: bytes, item: ReferenceList | RulePack | None) -> str:
        """Record one key's latest value; returns the outcome used in metrics and logs."""
        text = key.decode("utf-8", "replace")
        if text.startswith(PACK_KEY_PREFIX):
            return self._apply_pack(text.removeprefix(PACK_KEY_PREFIX), item)
        if item is None:
            return "removed" if self.lists.pop(text, None) is not None else "unchanged"
        assert isinstance(item, ReferenceList)
        current = self.lists.get(text) or self.base_lists.get(text)
        self.lists[text] = item
        return "unchanged" if current is not None and current.version == item.version else "applied"

    def _apply_pack(self, name: str, item: ReferenceList | RulePack | None) -> str:
        if name != self.base_pack.name:
            return "ignored"
        if item is None:
            had, self.pack = self.pack, None
            return "removed" if had is not None else "unchanged"
        assert isinstance(item, RulePack)
        current = self.pack or self.base_pack
        self.pack = item
        return "unchanged" if current.digest == item.digest else "applied"

    def list_set(self) -> ListSet:
        return ListSet({**self.base_lists.lists, **self.lists})

    def current_pack(self) -> RulePack:
        return self.pack or self.base_pack


def rebuild_context(old: ScreeningContext, lists: ListSet, pack: RulePack) -> ScreeningContext:
    """A context with these lists and pack, reusing every index whose list is unchanged.

    Building the full SDN's name index takes seconds; a CBI update must not pay for it.
    `replace` keeps every other field of the old context (e.g. an as-of date).
    """
    indexes: dict[str, ListIndex] = {}
    for name, reference in lists.lists.items():
        known = old.index(name)
        same = known is not None and known.reference.version == reference.version
        indexes[name] = known if same and known is not None else ListIndex.build(reference)
    return replace(old, pack=pack, lists=lists, indexes=indexes)


def describe_change(old: ScreeningContext, new: ScreeningContext) -> str:
    """`cbi-usd-ban 2025-02-16+ab12 -> 2025-03-01+cd34; rule pack iraq 1 -> 2` for the log."""
    before, after = old.lists.versions(), new.lists.versions()
    parts = [
        f"{name} {before.get(name, '-')} -> {after.get(name, '-')}"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]
    if old.pack.digest != new.pack.digest:
        parts.append(f"rule pack {new.pack.name} {old.pack.version} -> {new.pack.version}")
    return "; ".join(parts) or "no change"


# --- metrics ----------------------------------------------------------------------------------


RECORD_OUTCOMES = ("applied", "unchanged", "removed", "ignored", MALFORMED)


@dataclass(frozen=True)
class WatchlistMetrics:
    records: Counter
    reload_seconds: Histogram
    reload_failures: Counter

    @classmethod
    def register(cls, runtime: WorkerRuntime) -> WatchlistMetrics:
        registry = runtime.metrics.registry
        records = Counter(
            "dinarwatch_watchlist_records",
            "watchlists records read, by outcome (applied, unchanged, removed, ignored, malformed)",
            ["outcome"],
            registry=registry,
        )
        for outcome in RECORD_OUTCOMES:  # at 0 from the start: increase() sees the first one
            records.labels(outcome)
        return cls(
            records,
            Histogram(
                "dinarwatch_watchlist_reload_seconds",
                "Time to rebuild the screening context after watchlists records",
                registry=registry,
                buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            ),
            Counter(
                "dinarwatch_watchlist_reload_failures",
                "Context rebuilds that failed (the previous context stays in use)",
                registry=registry,
            ),
        )


# --- the reloader -----------------------------------------------------------------------------


@dataclass
class Reloader:
    """Applies batches of watchlists records to the worker's runtime."""

    runtime: WorkerRuntime
    metrics: WatchlistMetrics
    state: WatchlistState
    positions: dict[int, int] = field(default_factory=dict)
    """Next offset per partition of the topic: where reading resumes after an error."""
    listeners: list[Callable[[ScreeningContext, ScreeningContext], None]] = field(
        default_factory=list
    )
    """Called with (old, new) after each swap, e.g. delta re-screening (streams/rescreen.py)."""

    def absorb(self, records: Iterable[tuple[bytes | None, bytes | None]]) -> bool:
        """Decode and apply records (key, value); True when a rebuild is needed."""
        changed = False
        for key, value in records:
            outcome = self._absorb_one(key, value)
            self.metrics.records.labels(outcome).inc()
            changed |= outcome in ("applied", "removed")
        return changed

    def _absorb_one(self, key: bytes | None, value: bytes | None) -> str:
        decoded = _DECODER(key, value)
        if decoded is None:
            return MALFORMED
        key, item = decoded
        outcome = self.state.apply(key, item)
        version = item.version if item is not None else "(tombstone)"
        log.info("watchlists %s: %s %s", key.decode("utf-8", "replace"), outcome, version)
        return outcome

    def build(self) -> ScreeningContext:
        """The new context for the current state (slow for big lists: run it off the loop)."""
        return rebuild_context(
            self.runtime.context, self.state.list_set(), self.state.current_pack()
        )

    def swap(self, new: ScreeningContext, started: float) -> None:
        old = self.runtime.context
        self.runtime.swap_context(new)
        elapsed = time.perf_counter() - started
        self.metrics.reload_seconds.observe(elapsed)
        log.info("watchlists reloaded in %.2fs: %s", elapsed, describe_change(old, new))
        for listener in self.listeners:
            listener(old, new)

    def reload_now(self) -> None:
        """Rebuild and swap in this thread (used before the worker starts)."""
        started = time.perf_counter()
        try:
            self.swap(self.build(), started)
        except Exception:
            self.metrics.reload_failures.inc()
            log.exception("watchlists rebuild failed; keeping the previous lists")

    async def reload_async(self) -> None:
        """Rebuild in the default executor, then swap on the event loop."""
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            new = await loop.run_in_executor(None, self.build)
        except Exception:
            self.metrics.reload_failures.inc()
            log.exception("watchlists rebuild failed; keeping the previous lists")
            return
        self.swap(new, started)


def feed(settings: Settings) -> TopicFeed:
    """The watchlists topic as readers see it (records carry whole lists: large fetches)."""
    return TopicFeed(settings, names.WATCHLISTS, "watchlists", fetch_bytes=FETCH_BYTES)


def catch_up(settings: Settings, reloader: Reloader, timeout: float = CATCH_UP_TIMEOUT_S) -> int:
    """Read the topic from the beginning to its current end, apply it, rebuild once.

    Returns the number of records read; `reloader.positions` holds where the live follower
    starts. An unreachable broker or a missing topic is logged and the worker starts with its
    own lists (the follower keeps trying).
    """
    source = feed(settings)

    def apply(records: Records, positions: dict[int, int]) -> None:
        if reloader.absorb(records):
            reloader.reload_now()
        reloader.positions = positions
        log.info("watchlists caught up: %d record(s) from %s", len(records), source.topic)

    return catch_up_feed(source, timeout, apply, log, "with this worker's own lists")


async def follow(settings: Settings, reloader: Reloader) -> None:
    """Follow the topic until cancelled, from `reloader.positions` (else its beginning);
    every batch is absorbed and the context rebuilt once per batch."""

    async def apply(records: Records) -> None:
        if records and reloader.absorb(records):
            await reloader.reload_async()

    await follow_feed(feed(settings), reloader.positions, apply)


def register_watchlists(app: Any, settings: Settings, runtime: WorkerRuntime) -> Reloader:
    """Load the topic's latest lists into `runtime` now, and follow the topic while app runs.

    Idempotent per app: a second call returns the first reloader.
    """
    existing = getattr(app, _REGISTERED, None)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    state = WatchlistState.of(runtime.context)
    reloader = Reloader(runtime, WatchlistMetrics.register(runtime), state)
    catch_up(settings, reloader)
    setattr(app, _REGISTERED, reloader)

    async def follow_watchlists() -> None:
        await follow(settings, reloader)

    app.task(follow_watchlists)
    return reloader
