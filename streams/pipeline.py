"""What the agents do with a batch of records: the thin adapter between Faust and rules/.

Two paths lead to a decision, and both use the same window table partition for a debtor:

  fast path  payments.raw --(record keyed by its debtor, in that key's partition)--> screen here
  repartition payments.raw --> payments.valid (keyed by debtor) --> screen agent

A gateway that keys raw records by debtor account (the generator does, as a bank's gateway
that keeps per-account order would) already has each debtor's payments in the partition their
key hashes to, so the hop through payments.valid would only cost a produce, a consume, a second
parse and a second Faust dispatch per payment. Anything else (a record keyed otherwise, key-less,
a batch message with several debtors, a raw topic with another partition count) takes the
repartition path, which is always correct. Both paths live in the same worker for the same
partition number (Faust co-partitions topics and tables of equal partition count), so one
window table serves both.

The agents take records in batches (Faust's take_events, up to batch_max_records or
batch_max_wait_ms). Each record is handled in its own event context, so the window table writes
its changelog to that record's partition exactly as per-event iteration would, and the batch is
acknowledged (and later committed) only after every record in it has been dead-lettered,
forwarded or decided. (Batching was once reverted after a restarted worker left payments
undecided; the cause was Faust's recovery, not batching: see streams/faust_fixes.py.)

The per-payment work is the screening service (screening/service.py), shared with `screen` and
replay; this module only decodes, routes and sends. Outputs go through a `Sink` and time comes
from a clock, so the pipeline runs without Faust or Kafka in unit tests
(tests/unit/streams/test_pipeline.py, with a recording sink and a dict window store).
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from faust.streams import _current_event
from pydantic import ValidationError

from infra.metrics import DecisionTally
from infra.settings import Settings
from rules.rescreen import PartyForms
from schemas.codec import dumps
from schemas.decision import Decision
from schemas.payment import Payment
from screening.deadletter import Rejection, dead_letter_headers
from screening.decode import content_type_of, decode_payments, implausible_time, partition_key
from screening.service import WindowStore, screen_one
from streams.partitioner import key_partition
from streams.rescreen_store import encode_stored, stored_headers
from streams.runtime import WorkerRuntime

log = logging.getLogger("dinarwatch.worker")


@contextmanager
def event_context(event: Any) -> Iterator[None]:
    """Make `event` Faust's current event while its record is handled.

    A Faust table writes each change's changelog record to the partition of the current event
    (faust.streams.current_event). Per-event iteration sets it; take_events yields a whole batch,
    drawn from several partitions, and does not, so the batch loop sets it per record. Faust
    has no public setter (Stream._set_current_event is private too, and the table's
    partition_for_key reads only the context variable), so this is the one place that touches
    faust.streams._current_event; everything else reads the record passed in (event.message)."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


@dataclass
class Topics:
    """The names of the topics the agents write to."""

    valid: str
    dlq: str
    decisions: str
    alerts: str
    screened: str | None = None
    """The store of screened payments for delta re-screening (None: not kept)."""


class Sink(Protocol):
    """Where the pipeline's records go: payments.valid, the DLQ, decisions, alerts and the
    screened store are all already-encoded bytes to one topic each."""

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Any = None,
        *,
        partition: int | None = None,
        timestamp: float | None = None,
    ) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class KafkaSink:
    """Records straight to Faust's producer (the transaction manager under exactly_once).

    Faust's Topic.send wraps every record in a FutureMessage, runs codecs and sensors; for
    records that are already bytes that is pure overhead on the hot path. Delivery is checked
    here: a record the producer finally fails to deliver (after its own retries) stops the
    worker at once, before a later commit could move the offset past the lost record; the
    restarted worker reprocesses from the last commit. Under at_least_once Faust flushes the
    producer before every commit, so a committed offset never runs ahead of its outputs (under
    exactly_once it does not: see docs/delivery.md).
    """

    def __init__(self, app: Any, declare: Sequence[Any] = ()) -> None:
        self.app = app
        self.declare = list(declare)
        self.producer: Any = None

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Any = None,
        *,
        partition: int | None = None,
        timestamp: float | None = None,
    ) -> None:
        if self.producer is None:
            # Faust's Topic.send would declare (create if missing) each topic on first use
            for faust_topic in self.declare:
                await faust_topic.maybe_declare()
            self.producer = await self.app.maybe_start_producer()
        future = await self.producer.send(topic, key, value, partition, timestamp, headers)
        future.add_done_callback(_delivered)


def _delivered(future: Any) -> None:
    if future.cancelled() or future.exception() is None:
        return
    log.critical(
        "a record could not be delivered; stopping before any commit: %r", future.exception()
    )
    os._exit(75)  # EX_TEMPFAIL: the supervisor restarts us; uncommitted input is redelivered


class Pipeline:
    """Per-record work of the ingest and screen agents."""

    def __init__(
        self,
        settings: Settings,
        runtime: WorkerRuntime,
        topics: Topics,
        windows: WindowStore,
        sink: Sink,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.clock = clock
        self.runtime = runtime
        self.topics = topics
        self.windows = windows
        self.max_future = timedelta(seconds=settings.max_future_skew_seconds)
        self.earliest = datetime.fromisoformat(settings.earliest_created_at)
        self.fast_path_enabled = settings.screen_at_ingest
        self.tally = DecisionTally()
        self.party_forms: PartyForms = {}
        """Probe strings of the parties and agents seen (rules.rescreen.probe_form's memo)."""

    async def ingest_batch(self, events: Sequence[Any]) -> None:
        """A batch of raw records, each in its own event context."""
        await self._each(events, self.ingest)

    async def screen_batch(self, events: Sequence[Any]) -> None:
        """A batch of payments.valid records, each in its own event context."""
        await self._each(events, self.screen_valid)

    async def _each(self, events: Sequence[Any], handle: Callable[[Any], Awaitable[None]]) -> None:
        """`handle` each event in its own event context; the decision counters are updated
        once per batch, also when a handler raises."""
        try:
            for event in events:
                with event_context(event):
                    await handle(event)
        finally:
            self.tally.flush(self.runtime.metrics)

    async def screen_valid(self, event: Any) -> None:
        """Screen a payment that came through payments.valid (already validated once)."""
        try:
            payment = Payment.model_validate_json(event.message.value)
        except ValidationError as exc:
            await self.dead_letter(event, Rejection("internal-decode", str(exc)))
            return
        # the record's bytes are dumps(payment) (ingest wrote them): the screened store reuses them
        await self._screen_guarded(event, payment, event.message.value)

    async def ingest(self, event: Any) -> None:
        """Decode a raw record; dead-letter it, screen it here, or forward it."""
        message = event.message
        outcome = decode_payments(
            message.value,
            content_type_of(message.headers),
            self.settings.max_message_bytes,
            self.settings.xsd_dir,
        )
        if not isinstance(outcome, Rejection):
            now = self.clock()
            outcome = implausible_time(outcome, now, self.max_future, self.earliest) or outcome
        if isinstance(outcome, Rejection):
            await self.dead_letter(event, outcome)
            return
        for payment in outcome:
            key = partition_key(payment)
            if self._on_fast_path(message, key, len(outcome)):
                await self._screen_guarded(event, payment, None)
            else:
                await self.sink.send(self.topics.valid, key, dumps(payment))

    def _on_fast_path(self, message: Any, key: bytes, in_record: int) -> bool:
        """True when this record already sits where payments.valid would put its payment."""
        return (
            self.fast_path_enabled
            and in_record == 1
            and message.key == key
            and message.partition == key_partition(key, self.settings.topic_partitions)
        )

    def disable_fast_path(self, reason: str) -> None:
        """Send everything through payments.valid (e.g. raw has another partition count)."""
        if self.fast_path_enabled:
            log.warning("screening at ingest disabled: %s", reason)
        self.fast_path_enabled = False

    async def _screen_guarded(
        self, event: Any, payment: Payment, payment_json: bytes | None
    ) -> None:
        """A bug in a rule must not stop the worker: the record goes to the DLQ with the
        error, and the worker goes on."""
        try:
            await self._screen(payment, event.message.partition, payment_json)
        except Exception as exc:
            log.exception("screening failed for payment %s", payment.payment_id)
            await self.dead_letter(
                event,
                Rejection(
                    "internal-error",
                    f"payment {payment.payment_id}: screening failed: {type(exc).__name__}: {exc}",
                ),
            )

    async def _screen(self, payment: Payment, partition: int, payment_json: bytes | None) -> None:
        """Screen, then send the decision, the screened record and the alerts.

        `partition` is the record's own: on either path it is the debtor's partition (the fast
        path checks it; payments.valid is keyed by debtor), which the screened store needs."""
        runtime = self.runtime
        metrics = runtime.metrics
        started, cpu_started = time.perf_counter(), time.thread_time()
        screened = screen_one(payment, runtime.context, self.clock(), self.windows)
        decision, raised = screened.decision, screened.alerts
        metrics.screening_seconds.observe(time.perf_counter() - started)
        self.tally.add_screening_cpu(time.thread_time() - cpu_started)
        await self.sink.send(self.topics.decisions, payment.payment_id.encode(), dumps(decision))
        if self.topics.screened is not None:
            await self._store(payment, decision, partition, payment_json)
        for alert in raised:
            await self.sink.send(self.topics.alerts, alert.alert_id.encode(), dumps(alert))
            metrics.record_alert(alert)
            log.info(
                "alert %s %s %s payment=%s",
                alert.alert_id,
                alert.rule,
                alert.severity.value,
                payment.payment_id,
            )
        bank = (payment.debtor_agent.bic or "unknown")[:8]
        self.tally.add(decision, payment.message_type.value, payment.amount, bank)
        metrics.end_to_end_seconds.observe(
            max((self.clock() - payment.created_at).total_seconds(), 0.0)
        )

    async def _store(
        self, payment: Payment, decision: Decision, partition: int, payment_json: bytes | None
    ) -> None:
        """The screened payment to payments.screened, in its debtor's partition (the one this
        worker owns, so the worker that owns a partition re-screens it: streams/rescreen.py),
        stamped with its created_at (retention and the re-screening window go by it)."""
        assert self.topics.screened is not None
        stored = payment_json or dumps(payment)
        await self.sink.send(
            self.topics.screened,
            payment.payment_id.encode(),
            encode_stored(stored, decision),
            stored_headers(stored, self.party_forms),
            partition=partition,
            timestamp=payment.created_at.timestamp(),
        )

    async def dead_letter(self, event: Any, rejection: Rejection) -> None:
        """The original bytes, key and headers to the DLQ, with why and where from."""
        message = event.message
        headers = dead_letter_headers(
            rejection,
            list(message.headers or []),
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            rejected_at=self.clock(),
        )
        await self.sink.send(self.topics.dlq, message.key, message.value, headers)
        self.runtime.metrics.record_dead_letter(rejection.reason)
        log.warning(
            "dead-lettered %s[%d]@%d: %s: %s",
            message.topic,
            message.partition,
            message.offset,
            rejection.reason,
            rejection.detail[:200],
        )
