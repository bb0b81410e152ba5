"""The worker's store of screened payments, `payments.screened`, read by the desk by time.

The store (docs/rescreen.md) is compacted, keyed by payment id, each record stamped with the
payment's created_at and written to the debtor's partition. The desk never reads it whole: it
asks the broker for the first offset stamped at a time (offsets_for_times) and reads forward a
bounded number of records within a deadline. Two readers share that one bounded read: the
reveal of an account (one payment found by key) and the case page's debtor panel (one
partition's records between two times). Nothing here logs a record's content.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from desk.errors import DeskError, NotFound
from infra import topics as names
from infra.settings import Settings
from infra.topic_feed import TopicFeed


class Unavailable(DeskError):
    """The payment store could not be read (broker down, or too slow)."""

    status = 503


@dataclass(frozen=True)
class StoredRecord:
    """One record of payments.screened: where it is, its stamp, and its JSON value."""

    partition: int
    offset: int
    timestamp_ms: int
    key: bytes
    value: bytes

    def document(self) -> dict[str, Any]:
        """The record's JSON ({"decision", "evaluated_at", "rule_pack_version", "alerted",
        "payment"}); NotFound when it is not an object carrying a payment."""
        try:
            doc = orjson.loads(self.value)
        except orjson.JSONDecodeError:
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("payment"), dict):
            raise NotFound(f"the stored record of payment {self.key.decode()} carries no payment")
        return doc


@dataclass(frozen=True)
class PartitionRead:
    """A bounded read of one partition: the records in it, and whether a bound cut it short."""

    records: list[StoredRecord]
    truncated: bool
    """True when max_records was reached before the stop stamp or the partition's end."""


@dataclass(frozen=True)
class ScreenedStore:
    """payments.screened, searched by time then by key (a bounded read, never the whole topic)."""

    settings: Settings
    margin: timedelta = timedelta(minutes=15)
    """The read starts at the first record stamped created_at - margin in each partition."""
    late: timedelta = timedelta(hours=2)
    """Records are stamped with created_at but written in arrival order, so a payment that
    reached the worker late sits among records stamped after it: a partition's read stops at
    the first record stamped after created_at + late."""
    max_records: int = 50_000
    """Per partition: the most records read past created_at - margin before giving up."""
    timeout_s: float = 10.0

    def payment(self, payment_id: str, created_at: datetime) -> dict[str, Any]:
        """The full payment as screened (reveal.AccountLookup)."""
        try:
            record = self.record(payment_id, created_at)
        except NotFound as missing:
            raise NotFound(f"{missing.message}: its accounts cannot be revealed") from None
        doc: dict[str, Any] = record.document()["payment"]
        return doc

    def record(self, payment_id: str, created_at: datetime) -> StoredRecord:
        """The payment's latest stored record; NotFound when the store no longer holds it,
        Unavailable when the store cannot be read."""
        key = payment_id.encode()
        with self._consumer("desk-reveal") as (consumer, topic):
            tps = _partitions(consumer, topic)
            starts = consumer.offsets_for_times({tp: _ms(created_at - self.margin) for tp in tps})
            live = {tp: found.offset for tp, found in starts.items() if found is not None}
            found: StoredRecord | None = None
            for batch in _bounded(
                consumer,
                live,
                consumer.end_offsets(tps),
                _ms(created_at + self.late),
                self.max_records,
                self.timeout_s,
            ):
                for record in batch:
                    if record.key == key and record.value is not None:
                        found = _stored(record)
                if found is not None:
                    return found
        raise NotFound(
            f"payment {payment_id} is not in {self.settings.topic(names.SCREENED)} (kept "
            f"{names.SCREENED_RETENTION_DAYS} days)"
        )

    def partition_records(
        self, partition: int, start: datetime, stop: datetime, max_records: int | None = None
    ) -> PartitionRead:
        """One partition's records from the first one stamped at `start` up to the first one
        stamped after `stop` (or its end, or `max_records`), in log order."""
        from kafka import TopicPartition

        limit = max_records if max_records is not None else self.max_records
        kept: list[StoredRecord] = []
        read, past_stop = 0, False
        with self._consumer("desk-history") as (consumer, topic):
            tp = TopicPartition(topic, partition)
            if tp not in _partitions(consumer, topic):
                raise NotFound(f"{topic} has no partition {partition}")
            first = consumer.offsets_for_times({tp: _ms(start)}).get(tp)
            if first is None:
                return PartitionRead([], False)
            ends = consumer.end_offsets([tp])
            for batch in _bounded(
                consumer, {tp: first.offset}, ends, _ms(stop), limit, self.timeout_s
            ):
                read += len(batch)
                past_stop = past_stop or any(r.timestamp > _ms(stop) for r in batch)
                kept.extend(_stored(r) for r in batch if r.value is not None)
        return PartitionRead(kept, read >= limit and not past_stop)

    @contextmanager
    def _consumer(self, role: str) -> Iterator[tuple[Any, str]]:
        """A groupless consumer of the store; any Kafka error on the way is Unavailable."""
        from kafka.errors import KafkaError

        feed = TopicFeed(self.settings, names.SCREENED, role)
        try:
            consumer = feed.sync_consumer(
                "",
                request_timeout_ms=int(self.timeout_s * 1000) + 1000,
                bootstrap_timeout_ms=int(self.timeout_s * 1000),
            )
        except KafkaError as error:
            raise Unavailable(f"the payment store cannot be read: {type(error).__name__}") from None
        try:
            yield consumer, feed.topic
        except KafkaError as error:
            raise Unavailable(f"the payment store cannot be read: {type(error).__name__}") from None
        finally:
            consumer.close()


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _stored(record: Any) -> StoredRecord:
    return StoredRecord(record.partition, record.offset, record.timestamp, record.key, record.value)


def _partitions(consumer: Any, topic: str) -> list[Any]:
    from kafka import TopicPartition

    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise NotFound(f"topic {topic} does not exist: the payment store is empty")
    return [TopicPartition(topic, p) for p in sorted(partitions)]


def _bounded(
    consumer: Any,
    starts: dict[Any, int],
    ends: dict[Any, int],
    stop_ms: int,
    max_records: int,
    timeout_s: float,
) -> Iterator[list[Any]]:
    """The partitions' records from `starts`, one poll's worth at a time (log order within a
    partition); a partition is done at its end, after max_records, or at the first record
    stamped after stop_ms (that record included). Unavailable past the deadline."""
    todo = {tp for tp, offset in starts.items() if offset < ends.get(tp, 0)}
    if not todo:
        return
    consumer.assign(sorted(todo, key=lambda tp: tp.partition))
    for tp in todo:
        consumer.seek(tp, starts[tp])
    read = dict.fromkeys(todo, 0)
    deadline = time.monotonic() + timeout_s
    while todo:
        if time.monotonic() > deadline:
            raise Unavailable("reading the payment store timed out: try again")
        taken: list[Any] = []
        for tp, batch in consumer.poll(timeout_ms=500).items():
            if tp not in todo:
                continue
            for record in batch:
                read[tp] += 1
                taken.append(record)
                if record.timestamp > stop_ms or read[tp] >= max_records:
                    todo.discard(tp)
                    consumer.pause(tp)
                    break
        for tp in list(todo):
            if consumer.position(tp) >= ends[tp]:
                todo.discard(tp)
        yield taken
