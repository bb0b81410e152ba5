"""Delta re-screening in the worker: a new list version re-screens the stored payments of the
last DINARWATCH_RESCREEN_DAYS against its added and changed entries (docs/rescreen.md).

Trigger: the watchlists reloader calls `Rescreener.on_swap` after a live reload swapped in new
lists (the catch-up at start does not: the worker then has no previous topic version to diff).
Ownership: payments.screened is partitioned like payments.valid (each payment in its debtor's
partition), so each worker re-screens the store partitions of the payments.valid partitions
Faust assigned to it; every worker receives every list version, together they cover the store
once, and no leader is needed. Runs are serialised per worker (one list change after another),
so a second delta reads the records the first one updated.
Never twice: each stored record carries the alert keys (rule|entry) raised for its payment; a
retro alert adds its keys to the record (same key, same partition: compaction keeps the
update), and re-screening skips findings whose key is there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter, Histogram

from infra import topics as names
from infra.kafka_clients import kafka_consumer
from infra.settings import Settings
from rules.context import ScreeningContext
from rules.lists.base import ReferenceList
from rules.lists.delta import list_delta
from rules.pack import RulePack
from rules.rescreen import DeltaScreen
from schemas.codec import dumps
from schemas.common import Action
from screening.retro import retro_alerts
from streams.pipeline import KafkaSink, Sink
from streams.rescreen_store import StoredHit, rescreen_record
from streams.runtime import WorkerRuntime

log = logging.getLogger("dinarwatch.rescreen")

SETTLE_SECONDS = 1.0
"""Wait after a swap before reading the store: a payment screened just before the swap has its
store record sent by then (and the producer is flushed)."""
ASSIGNMENT_WAIT_SECONDS = 60.0
FETCH_BYTES = 8 * 1024 * 1024
MAX_IDLE_POLLS = 20
"""Empty polls in a row (10 s) after which a partition is taken as read to its end."""


@dataclass(frozen=True)
class RescreenMetrics:
    retro_alerts: Counter
    seconds: Histogram
    scanned: Counter
    candidates: Counter

    @classmethod
    def register(cls, runtime: WorkerRuntime) -> RescreenMetrics:
        registry = runtime.metrics.registry
        return cls(
            Counter(
                "dinarwatch_retro_alerts",
                "Retro alerts raised by re-screening stored payments against a list delta",
                ["list", "rule"],
                registry=registry,
            ),
            Histogram(
                "dinarwatch_rescreen_seconds",
                "Duration of one re-screening of this worker's stored payments against a delta",
                registry=registry,
                buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
            ),
            Counter(
                "dinarwatch_rescreen_payments_scanned",
                "Stored payments read by delta re-screening",
                ["list"],
                registry=registry,
            ),
            Counter(
                "dinarwatch_rescreen_payments_screened",
                "Stored payments that passed the delta probe and were screened in full",
                ["list"],
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class ScanResult:
    hits: list[tuple[int, StoredHit]]
    scanned: int
    candidates: int


@dataclass
class Rescreener:
    """Runs a re-screen per changed list, one at a time, and sends what it raises."""

    app: Any
    settings: Settings
    runtime: WorkerRuntime
    metrics: RescreenMetrics
    sink: Sink
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def on_swap(self, old: ScreeningContext, new: ScreeningContext) -> None:
        """Called on the event loop after the reloader swapped contexts."""
        if self.settings.rescreen_days <= 0:
            return
        for name, reference in sorted(new.lists.lists.items()):
            before = old.lists.get(name)
            if before is not None and before.version == reference.version:
                continue
            delta = list_delta(before, reference)
            if not delta.entries:
                continue
            task = asyncio.ensure_future(self.rescreen(delta, new.pack))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def rescreen(self, delta: ReferenceList, pack: RulePack) -> None:
        async with self.lock:
            try:
                await self._rescreen(delta, pack)
            except Exception:
                log.exception("re-screening against %s %s failed", delta.name, delta.version)

    async def _rescreen(self, delta: ReferenceList, pack: RulePack) -> None:
        await asyncio.sleep(SETTLE_SECONDS)
        producer = await self.app.maybe_start_producer()
        await producer.flush()
        partitions = await self._owned_partitions()
        if not partitions:
            log.warning(
                "re-screening %s %s: this worker owns no partition", delta.name, delta.version
            )
            return
        now = datetime.now(UTC)
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            None, scan_store, self.settings, partitions, delta, pack, now
        )
        raised = await self._raise(result.hits, delta, pack, now)
        await producer.flush()
        elapsed = time.perf_counter() - started
        self.metrics.seconds.observe(elapsed)
        self.metrics.scanned.labels(delta.name).inc(result.scanned)
        self.metrics.candidates.labels(delta.name).inc(result.candidates)
        log.info(
            "re-screened %d stored payment(s) of partitions %s against %s %s (%d new or changed "
            "entries) in %.2fs: %d screened in full, %d retro alert(s)",
            result.scanned,
            partitions,
            delta.name,
            delta.version,
            len(delta),
            elapsed,
            result.candidates,
            raised,
        )

    async def _owned_partitions(self) -> list[int]:
        """The payments.valid partitions Faust assigned to this worker (waits out a rebalance)."""
        topic = self.settings.topic(names.VALID)
        deadline = time.monotonic() + ASSIGNMENT_WAIT_SECONDS
        while True:
            owned = sorted(
                tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == topic
            )
            if owned or time.monotonic() > deadline:
                return owned
            await asyncio.sleep(1)

    async def _raise(
        self,
        hits: Sequence[tuple[int, StoredHit]],
        delta: ReferenceList,
        pack: RulePack,
        now: datetime,
    ) -> int:
        alerts_topic = self.settings.topic(names.ALERTS)
        store_topic = self.settings.topic(names.SCREENED)
        raised = 0
        for partition, hit in hits:
            record = hit.record
            alerts = retro_alerts(
                hit.payment,
                hit.findings,
                list_version=delta.version,
                original_decision=Action(record.get("decision", "pass")),
                original_evaluated_at=datetime.fromisoformat(record["evaluated_at"]),
                original_rule_pack_version=str(record.get("rule_pack_version", "")),
                rule_pack=pack.name,
                rule_pack_version=pack.version,
                raised_at=now,
            )
            for alert in alerts:
                await self.sink.send(alerts_topic, alert.alert_id.encode(), dumps(alert))
                self.runtime.metrics.record_alert(alert)
                self.metrics.retro_alerts.labels(delta.name, alert.rule).inc()
                log.info(
                    "retro alert %s %s %s payment=%s list=%s %s",
                    alert.alert_id,
                    alert.rule,
                    alert.severity.value,
                    hit.payment.payment_id,
                    delta.name,
                    delta.version,
                )
                raised += 1
            await self.sink.send(
                store_topic,
                hit.payment.payment_id.encode(),
                hit.updated(),
                hit.headers,
                partition=partition,
                timestamp=hit.payment.created_at.timestamp(),
            )
        return raised


def scan_store(
    settings: Settings,
    partitions: Sequence[int],
    delta: ReferenceList,
    pack: RulePack,
    now: datetime,
) -> ScanResult:
    """Read the store partitions from the first record of the window to their current end and
    re-screen each record against the delta (blocking: run it in a thread)."""
    from kafka import TopicPartition

    screen = DeltaScreen.build(pack, delta, now.date())
    cutoff_ms = int((now - timedelta(days=settings.rescreen_days)).timestamp() * 1000)
    topic = settings.topic(names.SCREENED)
    consumer = kafka_consumer(
        settings,
        "rescreen",
        group_id=None,
        enable_auto_commit=False,
        allow_auto_create_topics=False,
        max_partition_fetch_bytes=FETCH_BYTES,
        fetch_max_bytes=FETCH_BYTES,
    )
    hits: dict[bytes, tuple[int, StoredHit]] = {}
    scanned = 0
    try:
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        ends = consumer.end_offsets(assigned)
        starts = consumer.offsets_for_times({tp: cutoff_ms for tp in assigned})
        pending = {}
        for tp in assigned:
            found = starts.get(tp)
            if found is not None and found.offset < ends[tp]:
                consumer.seek(tp, found.offset)
                pending[tp] = ends[tp]
        idle = 0
        while pending and idle < MAX_IDLE_POLLS:
            polled = consumer.poll(timeout_ms=500)
            idle = 0 if polled else idle + 1
            for tp, batch in polled.items():
                for message in batch:
                    if message.offset >= pending.get(tp, 0):
                        break
                    if message.value is None or message.timestamp < cutoff_ms:
                        continue
                    scanned += 1
                    hit = rescreen_record(screen, message.value, now, message.headers)
                    # Until compaction runs, a payment's older records precede its latest one
                    # (e.g. before a retro alert was added to it): the latest one decides.
                    if hit is not None:
                        hits[message.key] = (tp.partition, hit)
                    else:
                        hits.pop(message.key, None)
            for tp in list(pending):
                if consumer.position(tp) >= pending[tp]:
                    del pending[tp]
    finally:
        consumer.close()
    return ScanResult(list(hits.values()), scanned, screen.probe.candidates)


def register_rescreen(
    app: Any, settings: Settings, runtime: WorkerRuntime, reloader: Any
) -> Rescreener:
    """Re-screen on every live list change the reloader applies."""
    metrics = RescreenMetrics.register(runtime)
    rescreener = Rescreener(app, settings, runtime, metrics, KafkaSink(app))
    reloader.listeners.append(rescreener.on_swap)
    return rescreener
