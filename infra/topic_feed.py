"""Reading a compacted topic whole, and following it: how workers and the desk keep state
that is published on Kafka (lists on `watchlists`, good-guy exceptions on `exceptions`).

Every such reader does the same three things, so they live here once: read every partition
from its beginning to the end it has *now* (kafka-python, blocking: the worker does it before
it screens anything), follow the topic from where that read stopped (aiokafka, in the worker's
event loop, reconnecting after any error), and learn the topic's partitions when the read
found none (aiokafka only knows the partitions of subscribed topics). Each reader also
decodes a record the same guarded way (`RecordDecoder`): a record without a key, or one its
wire format rejects, or one whose decoding fails otherwise, is logged and skipped, never
allowed to stop the reader.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from infra.kafka_clients import aio_consumer, kafka_consumer
from infra.settings import Settings

log = logging.getLogger(__name__)

Records = list[tuple[bytes | None, bytes | None]]
"""(key, value) pairs in topic order; a None value is a tombstone."""

RETRY_S = 5.0
"""Seconds between attempts when the topic is missing or the follower lost the broker."""

MALFORMED = "malformed"
"""The outcome readers count for a record they skipped."""

T = TypeVar("T")


@dataclass(frozen=True)
class RecordDecoder(Generic[T]):
    """Decodes one record of a compacted topic with its wire format, skipping a bad one.

    The worker's watchlists and exceptions followers count every record by outcome and must
    keep running past one they cannot read; what "cannot read" means (no key, the format's
    own error, anything else) and how it is logged is the same for both, so it is here once.
    """

    topic: str
    """The logical topic name, as the log lines say it."""
    decode: Callable[[bytes, bytes], T]
    malformed: type[Exception]
    """The wire format's error for a record it rejects."""
    log: logging.Logger
    """The reader's own logger (its log lines stay where operators look for them)."""
    detail: int = 300
    """How much of the format's error message is logged."""

    def __call__(self, key: bytes | None, value: bytes | None) -> tuple[bytes, T | None] | None:
        """The record's key and item (None for a tombstone), or None when it is skipped."""
        if not key:
            self.log.error("%s record without a key skipped", self.topic)
            return None
        try:
            return key, (self.decode(key, value) if value is not None else None)
        except self.malformed as exc:
            self.log.error(
                "%s record %r skipped: %s", self.topic, key[:100], str(exc)[: self.detail]
            )
        except Exception:  # never let a bad record take the worker down
            self.log.exception("%s record %r skipped: unexpected error", self.topic, key[:100])
        return None


@dataclass(frozen=True)
class TopicFeed:
    """One compacted topic as a reader sees it."""

    settings: Settings
    name: str
    """The logical topic name (the deployment's prefix is added)."""
    role: str
    """Names the reader's Kafka clients (`<app id>-<role>`), for the broker's logs."""
    fetch_bytes: int | None = None
    """Largest record the topic may hold (watchlists records carry whole lists)."""

    @property
    def topic(self) -> str:
        return self.settings.topic(self.name)

    def sync_consumer(self, suffix: str, **extra: Any) -> Any:
        """A kafka-python consumer without a group (readers never commit)."""
        return kafka_consumer(
            self.settings,
            f"{self.role}{suffix}",
            group_id=None,
            enable_auto_commit=False,
            allow_auto_create_topics=False,
            **self._fetch_limits(),
            **extra,
        )

    def async_consumer(self) -> Any:
        return aio_consumer(
            self.settings,
            self.role,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._fetch_limits(),
        )

    def _fetch_limits(self) -> dict[str, int]:
        if self.fetch_bytes is None:
            return {}
        return {"max_partition_fetch_bytes": self.fetch_bytes, "fetch_max_bytes": self.fetch_bytes}


def read_whole(
    feed: TopicFeed, timeout: float, **consumer_options: Any
) -> tuple[Records, dict[int, int]] | None:
    """Every record from the beginning to the end the topic has now, and the next offset per
    partition (where a follower starts); None when the topic does not exist.

    Broker errors propagate: each caller decides what running without the topic means. A read
    that takes longer than `timeout` stops with what it has, logged.
    """
    from kafka import TopicPartition

    consumer = feed.sync_consumer("-init", **consumer_options)
    try:
        partitions = consumer.partitions_for_topic(feed.topic)
        if not partitions:
            return None
        assigned = [TopicPartition(feed.topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        records = _read_to(consumer, feed.topic, ends, time.monotonic() + timeout)
        return records, {tp.partition: consumer.position(tp) for tp in assigned}
    finally:
        consumer.close()


def catch_up(
    feed: TopicFeed,
    timeout: float,
    apply: Callable[[Records, dict[int, int]], None],
    log: logging.Logger,
    without: str,
) -> int:
    """`read_whole`, then `apply(records, positions)`; returns the number of records read.

    A worker must start even when the topic is missing or the broker is unreachable: that,
    or any error while applying, is logged on the reader's own `log` and the worker starts
    `without` (e.g. "with no good-guy exception"), returning 0; its follower keeps trying.
    """
    try:
        read = read_whole(feed, timeout)
        if read is None:
            log.warning("topic %s not found: starting %s", feed.topic, without)
            return 0
        records, positions = read
        apply(records, positions)
        return len(records)
    except Exception:
        log.exception("reading %s failed: starting %s", feed.topic, without)
        return 0


def _read_to(consumer: Any, topic: str, ends: Mapping[Any, int], deadline: float) -> Records:
    records: Records = []
    while any(consumer.position(tp) < end for tp, end in ends.items()):
        if time.monotonic() > deadline:
            log.error("reading %s timed out; continuing with what was read", topic)
            break
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend((r.key, r.value) for r in batch)
    return records


async def follow(
    feed: TopicFeed,
    positions: dict[int, int],
    apply: Callable[[Records], Awaitable[None]],
    poll_ms: int = 1000,
) -> None:
    """Follow the topic until cancelled, from `positions` (else its beginning).

    `apply` gets every polled batch, empty ones too (a reader may have periodic work);
    `positions` is advanced after it returns, so a reconnect resumes after the last batch
    applied.
    """
    from aiokafka.structs import TopicPartition

    while True:
        consumer = feed.async_consumer()
        try:
            await consumer.start()
            assigned = [TopicPartition(feed.topic, p) for p in await _partitions(feed, positions)]
            consumer.assign(assigned)
            for tp in assigned:
                if tp.partition in positions:
                    consumer.seek(tp, positions[tp.partition])
            log.info("following %s from offsets %s", feed.topic, positions or "0")
            while True:
                batches = await consumer.getmany(timeout_ms=poll_ms)
                await apply([(r.key, r.value) for batch in batches.values() for r in batch])
                for tp, batch in batches.items():
                    positions[tp.partition] = batch[-1].offset + 1
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s follower failed; retrying in %.0f s", feed.topic, RETRY_S)
            await asyncio.sleep(RETRY_S)
        finally:
            await consumer.stop()


async def _partitions(feed: TopicFeed, known: Mapping[int, int]) -> list[int]:
    """The partitions the whole read saw, else asked for (in a thread) until the topic exists."""
    if known:
        return sorted(known)
    loop = asyncio.get_running_loop()
    while True:
        partitions = await loop.run_in_executor(None, topic_partitions, feed)
        if partitions:
            return partitions
        log.warning("topic %s not found; checking again in %.0f s", feed.topic, RETRY_S)
        await asyncio.sleep(RETRY_S)


def topic_partitions(feed: TopicFeed) -> list[int]:
    """The topic's partition ids (empty when it does not exist)."""
    consumer = feed.sync_consumer("-meta")
    try:
        return sorted(consumer.partitions_for_topic(feed.topic) or ())
    finally:
        consumer.close()
