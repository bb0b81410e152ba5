"""`dinarwatch desk ingest`: the consumer that turns `alerts` and `payments.decisions` into cases.

Order of commits is the whole point: a polled batch is stored in ONE database transaction, and
only after that transaction committed are the consumer's offsets committed to Kafka. A crash
(even SIGKILL) between the two re-delivers the batch on restart, and redelivery is harmless:
alerts are inserted with ON CONFLICT DO NOTHING on alert_id, cases on payment_id. So nothing
is lost and nothing is duplicated.

A record that does not parse as its topic's contract is counted (`outcome="rejected"`), logged
by partition and offset (never its content: it may hold account numbers), and skipped: the
worker's DLQ is where bad payments go, not the desk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaConsumer
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from desk import exceptions, outbox, reports
from desk.cases import store_alerts, store_decisions
from desk.counts import fold as fold_counts
from desk.metrics import DeskMetrics
from infra.kafka_clients import kafka_consumer
from infra.settings import Settings
from infra.topics import ALERTS, DECISIONS
from schemas.alert import Alert
from schemas.common import Severity
from schemas.decision import Decision

log = logging.getLogger("dinarwatch.desk.ingest")

CONSUMER_GROUP = "dinarwatch-desk"
LAG_INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class Record:
    """What ingest needs from a Kafka record (kafka-python's ConsumerRecord has these)."""

    topic: str
    partition: int
    offset: int
    value: bytes | None


@dataclass
class BatchCounts:
    stored: int = 0
    duplicate: int = 0
    ignored: int = 0
    rejected: int = 0


def store_batch(
    sessions: sessionmaker[Session],
    records: Iterable[Record],
    topic_names: Mapping[str, str],
    metrics: DeskMetrics | None = None,
) -> BatchCounts:
    """Store a batch in one transaction. `topic_names` maps a broker topic (prefix included)
    to its logical name (`alerts`, `payments.decisions`). Returns what happened to the
    records; the metrics are counted only once the transaction committed."""
    counts: dict[tuple[str, str], int] = {}
    alerts: list[Alert] = []
    decisions: list[Decision] = []

    def count(logical: str, outcome: str, n: int = 1) -> None:
        if n:
            counts[(logical, outcome)] = counts.get((logical, outcome), 0) + n

    for record in records:
        logical = topic_names.get(record.topic, record.topic)
        parsed = _parse(logical, record)
        if isinstance(parsed, Alert):
            alerts.append(parsed)
        elif isinstance(parsed, Decision):
            decisions.append(parsed)
        else:
            count(logical, parsed)
    received = datetime.now(UTC)
    with sessions.begin() as session:
        stored_alerts = store_alerts(session, alerts, received) if alerts else []
        kept = store_decisions(session, decisions, received) if decisions else []
    count(ALERTS, "stored", sum(stored_alerts))
    count(ALERTS, "duplicate", len(stored_alerts) - sum(stored_alerts))
    count(DECISIONS, "stored", sum(kept))
    count(DECISIONS, "ignored", len(kept) - sum(kept))
    total = BatchCounts()
    for (logical, outcome), n in counts.items():
        setattr(total, outcome, getattr(total, outcome) + n)
        if metrics is not None:
            metrics.ingest_records.labels(logical, outcome).inc(n)
    return total


def _parse(logical: str, record: Record) -> Alert | Decision | str:
    """The record as its topic's contract, or the outcome that skips it."""
    if record.value is None:
        return "ignored"
    try:
        if logical == ALERTS:
            return Alert.model_validate_json(record.value)
        if logical == DECISIONS:
            return Decision.model_validate_json(record.value)
    except ValidationError as exc:
        log.warning(
            "desk ingest: %s[%d]@%d is not a valid %s record (%d errors); skipped",
            record.topic,
            record.partition,
            record.offset,
            logical,
            exc.error_count(),
        )
        return "rejected"
    return "ignored"


def make_consumer(settings: Settings) -> KafkaConsumer:
    return kafka_consumer(
        settings,
        "desk-ingest",
        group_id=settings.topic(CONSUMER_GROUP),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
        fetch_max_bytes=settings.max_record_bytes + 65_536,
        max_partition_fetch_bytes=settings.max_record_bytes + 65_536,
    )


class Ingest:
    """The consume → store → commit loop; `stop` ends it between batches."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        metrics: DeskMetrics,
        publisher: outbox.Publisher | None = None,
        sla: Mapping[Severity, timedelta] | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.metrics = metrics
        self.publisher = publisher
        self.topic_names = {settings.topic(name): name for name in (ALERTS, DECISIONS)}
        self.stop = threading.Event()
        self.sla = sla
        self._last_lag = 0.0
        self._last_gauges = 0.0

    def run(self, consumer: Any | None = None) -> None:
        consumer = consumer or make_consumer(self.settings)
        consumer.subscribe(sorted(self.topic_names))
        try:
            while not self.stop.is_set():
                self.poll_once(consumer)
        finally:
            consumer.close(autocommit=False)

    def poll_once(self, consumer: Any) -> BatchCounts:
        polled = consumer.poll(timeout_ms=1000, max_records=500)
        counts = BatchCounts()
        records = [
            Record(r.topic, r.partition, r.offset, r.value)
            for batch in polled.values()
            for r in batch
        ]
        if records:
            counts = store_batch(self.sessions, records, self.topic_names, self.metrics)
            consumer.commit()  # only now: the batch is in the database
        if time.monotonic() - self._last_lag >= LAG_INTERVAL_SECONDS or records:
            self._measure_lag(consumer)
        if time.monotonic() - self._last_gauges >= LAG_INTERVAL_SECONDS:
            # the case gauges too, so a Prometheus scraping only `desk ingest` sees SLA
            # breaches; every 10 s, not every batch: they count and scan the waiting cases
            self._last_gauges = time.monotonic()
            with self.sessions() as session:
                reports.refresh_case_metrics(session, self.metrics, datetime.now(UTC), self.sla)
        with self.sessions.begin() as session:
            exceptions.expire_due(session, datetime.now(UTC))
            fold_counts(session)  # keeps the queue totals' delta rows few
        if self.publisher is not None:
            outbox.flush(self.sessions, self.publisher)
        return counts

    def _measure_lag(self, consumer: Any) -> None:
        self._last_lag = time.monotonic()
        assigned = list(consumer.assignment())
        if not assigned:
            return
        try:
            ends = consumer.end_offsets(assigned)
        except Exception as exc:  # a failed measurement must never stop ingest
            log.debug("desk ingest: lag measurement failed: %s", exc)
            return
        backlog = 0
        for tp in assigned:
            lag = max(int(ends.get(tp, 0)) - int(consumer.position(tp)), 0)
            backlog += lag
            self.metrics.ingest_lag.labels(
                self.topic_names.get(tp.topic, tp.topic), str(tp.partition)
            ).set(lag)
        self.metrics.ingest_backlog.set(backlog)
