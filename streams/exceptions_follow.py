"""Good-guy exceptions in the workers: the compacted `exceptions` topic followed, and hot reload
into the screening context.

The desk (desk/exceptions.py) publishes an exception through its outbox when it becomes active,
is revoked or expires; the records' format is screening/exception_wire.py.

Following works as for watchlists (streams/watchlists.py, whose docstring gives the trade-offs):
no consumer group, the topic is read to its end when the app is created (before any agent runs,
so a worker never screens without the exceptions already granted), then a Faust task follows it
from the offsets reached. Each batch swaps in a context whose only change is the exception set.
A watchlists reload that started before an exceptions swap would put the old set back: the
follower checks on every poll that the runtime carries its set and swaps it in again if not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from prometheus_client import Counter, Gauge

from infra import topics as names
from infra.settings import Settings
from infra.topic_feed import MALFORMED, RecordDecoder, Records, TopicFeed
from infra.topic_feed import catch_up as catch_up_feed
from infra.topic_feed import follow as follow_feed
from rules.suppression import ActiveException, ExceptionSet
from screening.exception_wire import MalformedException, decode_exception
from streams.runtime import WorkerRuntime

log = logging.getLogger("dinarwatch.exceptions")

CATCH_UP_TIMEOUT_S = 60.0
_REGISTERED = "_dinarwatch_exceptions"
_DECODER = RecordDecoder("exceptions", decode_exception, MalformedException, log)


@dataclass(frozen=True)
class ExceptionMetrics:
    records: Counter
    active: Gauge

    @classmethod
    def register(cls, runtime: WorkerRuntime) -> ExceptionMetrics:
        registry = runtime.metrics.registry
        return cls(
            Counter(
                "dinarwatch_exception_records",
                "exceptions records read, by outcome (active, removed, malformed)",
                ["outcome"],
                registry=registry,
            ),
            Gauge(
                "dinarwatch_exceptions_active",
                "Good-guy exceptions the worker holds (expired ones included until the desk "
                "publishes their expiry; they cover nothing past expires_at)",
                registry=registry,
            ),
        )


@dataclass
class ExceptionFollower:
    """Applies batches of exceptions records to the worker's runtime."""

    runtime: WorkerRuntime
    metrics: ExceptionMetrics
    held: dict[str, ActiveException] = field(default_factory=dict)
    current: ExceptionSet = field(default_factory=ExceptionSet)
    positions: dict[int, int] = field(default_factory=dict)

    def absorb(self, records: Iterable[tuple[bytes | None, bytes | None]]) -> bool:
        changed = False
        for key, value in records:
            outcome = self._absorb_one(key, value)
            self.metrics.records.labels(outcome).inc()
            changed |= outcome != MALFORMED
        return changed

    def _absorb_one(self, key: bytes | None, value: bytes | None) -> str:
        decoded = _DECODER(key, value)
        if decoded is None:
            return MALFORMED
        raw, item = decoded
        text = raw.decode("utf-8", "replace")
        if item is None:
            self.held.pop(text, None)
            log.info("exception %s removed", text)
            return "removed"
        self.held[text] = item
        log.info("exception %s active (%s, %s)", text, item.rule, item.entry_id)
        return "active"

    def swap(self) -> None:
        """Put the held exceptions into the runtime's context (one assignment)."""
        self.current = ExceptionSet.build(self.held.values())
        self.runtime.swap_context(replace(self.runtime.context, exceptions=self.current))
        self.metrics.active.set(len(self.current))

    def ensure_swapped(self) -> None:
        """Swap again when a context rebuilt elsewhere (a watchlists reload) lost the set."""
        if self.runtime.context.exceptions is not self.current:
            self.swap()


def feed(settings: Settings) -> TopicFeed:
    return TopicFeed(settings, names.EXCEPTIONS, "exceptions")


def catch_up(
    settings: Settings, follower: ExceptionFollower, timeout: float = CATCH_UP_TIMEOUT_S
) -> int:
    """Read the topic from its beginning to its current end and apply it; returns the number
    of records read. A missing topic or an unreachable broker is logged and the worker starts
    with no exception (covering nothing is the safe side); the follower keeps trying."""

    def apply(records: Records, positions: dict[int, int]) -> None:
        follower.absorb(records)
        follower.swap()
        follower.positions = positions
        log.info("exceptions caught up: %d record(s), %d active", len(records), len(follower.held))

    return catch_up_feed(feed(settings), timeout, apply, log, "with no good-guy exception")


async def follow(settings: Settings, follower: ExceptionFollower) -> None:
    """Follow the topic until cancelled, from `follower.positions` (else its beginning)."""

    async def apply(records: Records) -> None:
        if records and follower.absorb(records):
            follower.swap()
        else:
            follower.ensure_swapped()  # a watchlists reload rebuilt the context without them

    await follow_feed(feed(settings), follower.positions, apply)


def register_exceptions(app: Any, settings: Settings, runtime: WorkerRuntime) -> ExceptionFollower:
    """Load the topic's active exceptions into `runtime` now, and follow the topic while app
    runs. Idempotent per app."""
    existing = getattr(app, _REGISTERED, None)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    follower = ExceptionFollower(runtime, ExceptionMetrics.register(runtime))
    catch_up(settings, follower)
    setattr(app, _REGISTERED, follower)

    async def follow_exceptions() -> None:
        await follow(settings, follower)

    app.task(follow_exceptions)
    return follower
