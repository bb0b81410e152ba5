"""Replay input from a Kafka topic between two timestamps, read with kafka-python, no worker.

The range is chosen with offsets_for_times on the records' Kafka timestamps (by default the
producer's CreateTime, i.e. when the record was published, not the payment's created_at): every
partition is read from the first offset at or after --from up to, not including, the first
offset at or after --to (or the end of the partition as it stood when the replay started). The
replay then orders the records by event time like any other input. The exact offsets read and a
SHA-256 of the values (per partition, in offset order) go into report.json.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from infra.errors import BrokerError, TopicMissingError
from infra.kafka_clients import kafka_consumer
from infra.settings import Settings
from offline.replay.sources import Progress
from offline.screen import SourceRecord
from screening.decode import content_type_of

STALL_SECONDS = 60.0
"""Give up when no record arrives for this long although offsets remain to be read."""


@dataclass
class KafkaSource:
    """A topic's records between `start` and `end` (Kafka timestamps; `end` exclusive)."""

    settings: Settings
    topic: str
    start: datetime | None = None
    end: datetime | None = None
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    digests: dict[int, Any] = field(default_factory=dict)

    unit = "records"

    @property
    def total_bytes(self) -> int | None:
        """Kafka offers no byte total; the progress bar counts records (see `total_records`)."""
        return None

    @property
    def total_records(self) -> int:
        return sum(b - a for a, b in self.offsets.values())

    def records(self, advance: Progress | None = None) -> Iterator[SourceRecord]:
        """Every record in the range, partition by partition interleaved as the broker sends."""
        consumer = self._consumer()
        try:
            partitions = self._resolve(consumer)
            yield from self._read(consumer, partitions, advance)
        finally:
            consumer.close()

    def _consumer(self) -> KafkaConsumer:
        return kafka_consumer(
            self.settings,
            "replay",
            group_id=None,
            enable_auto_commit=False,
            max_partition_fetch_bytes=max(self.settings.max_message_bytes * 2, 8 * 1_048_576),
            fetch_max_bytes=64 * 1_048_576,
            allow_auto_create_topics=False,  # reading must never create a topic
        )

    def _resolve(self, consumer: KafkaConsumer) -> list[TopicPartition]:
        """Fix the offset range of every partition before reading anything."""
        ids = consumer.partitions_for_topic(self.topic)
        if not ids:
            raise TopicMissingError(
                f"topic {self.topic} does not exist on {self.settings.kafka_bootstrap}: check "
                "the name (and DINARWATCH_TOPIC_PREFIX)"
            )
        partitions = [TopicPartition(self.topic, p) for p in sorted(ids)]
        first = consumer.beginning_offsets(partitions)
        last = consumer.end_offsets(partitions)
        lower = self._at(consumer, partitions, self.start, first, last)
        upper = self._at(consumer, partitions, self.end, last, last)
        for tp in partitions:
            self.offsets[tp.partition] = (lower[tp], max(lower[tp], upper[tp]))
            self.counts[tp.partition] = 0
            self.digests[tp.partition] = hashlib.sha256()
        return partitions

    @staticmethod
    def _at(
        consumer: KafkaConsumer,
        partitions: list[TopicPartition],
        moment: datetime | None,
        default: dict[TopicPartition, int],
        last: dict[TopicPartition, int],
    ) -> dict[TopicPartition, int]:
        if moment is None:
            return dict(default)
        ms = int(moment.timestamp() * 1000)
        found = consumer.offsets_for_times({tp: ms for tp in partitions})
        return {tp: found[tp].offset if found.get(tp) else last[tp] for tp in partitions}

    def _read(
        self, consumer: KafkaConsumer, partitions: list[TopicPartition], advance: Progress | None
    ) -> Iterator[SourceRecord]:
        pending = [tp for tp in partitions if self._remaining(tp.partition, None)]
        consumer.assign(pending)
        for tp in pending:
            consumer.seek(tp, self.offsets[tp.partition][0])
        last_seen = time.monotonic()
        while pending:
            batch = consumer.poll(timeout_ms=500, max_records=5000)
            for tp, items in sorted(batch.items(), key=lambda kv: kv[0].partition):
                for item in items:
                    if item.offset < self.offsets[tp.partition][1]:
                        yield self._record(tp.partition, item)
                if advance is not None and items:
                    advance(len(items), len(items))
            last_seen = time.monotonic() if batch else last_seen
            pending = [tp for tp in pending if self._remaining(tp.partition, consumer.position(tp))]
            if pending and time.monotonic() - last_seen > STALL_SECONDS:
                raise BrokerError(
                    f"no records from {self.topic} on {self.settings.kafka_bootstrap} for "
                    f"{STALL_SECONDS:.0f} s although offsets remain: check the broker"
                )

    def _remaining(self, partition: int, position: int | None) -> bool:
        start, end = self.offsets[partition]
        return (position if position is not None else start) < end

    def _record(self, partition: int, item: Any) -> SourceRecord:
        value = item.value or b""
        self.counts[partition] += 1
        digest = self.digests[partition]
        digest.update(f"{item.offset}:{len(value)}:".encode())
        digest.update(value)
        origin = f"{self.topic}[{partition}]@{item.offset}"
        return SourceRecord(origin, value, content_type_of(item.headers))

    def describe(self) -> dict[str, Any]:
        combined = hashlib.sha256()
        for partition in sorted(self.digests):
            combined.update(f"{partition}:{self.digests[partition].hexdigest()};".encode())
        return {
            "kind": "kafka",
            "topic": self.topic,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "timestamps": "Kafka record timestamps; to is exclusive",
            "partitions": {
                str(p): {"start_offset": a, "end_offset": b, "records": self.counts.get(p, 0)}
                for p, (a, b) in sorted(self.offsets.items())
            },
            "records": sum(self.counts.values()),
            "sha256": combined.hexdigest(),
        }
