"""The seek Faust performs after every rebalance must rewind partitions that have no commit.

Regression test for the lost-payment bug described in streams.faust_fixes.py: aiokafka's
`seek_to_committed()` leaves a never-committed partition at its fetch position, so records
fetched (and then cleared from Faust's queues) before the seek were never fetched again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from kafka.admin import NewTopic

from streams.faust_fixes import seek_to_committed_or_reset
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

RECORDS_PER_PARTITION = 10


async def _fill(bootstrap: str, topics: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic in topics:
            for partition in (0, 1):
                for i in range(RECORDS_PER_PARTITION):
                    await producer.send_and_wait(topic, f"{i}".encode(), partition=partition)
    finally:
        await producer.stop()


async def _consumer_at_end(bootstrap: str, group: str, tps: list[TopicPartition]) -> Any:
    """A group consumer that has fetched everything and committed only partition 0 at 4."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    consumer.assign(tps)
    fetched = 0
    while fetched < RECORDS_PER_PARTITION * len(tps):
        batches = await consumer.getmany(timeout_ms=2000)
        fetched += sum(len(records) for records in batches.values())
    await consumer.commit({tps[0]: OffsetAndMetadata(4, "")})
    return consumer


async def _positions(consumer: Any, tps: list[TopicPartition]) -> list[int]:
    return [await consumer.position(tp) for tp in tps]


def _scenario(bootstrap: str, admin: Any, fixed: bool) -> list[int]:
    prefix = unique_topic_prefix("seek")
    stream, changelog = f"{prefix}payments.raw", f"{prefix}app-table-changelog"
    admin.create_topics([NewTopic(t, 2, 1) for t in (stream, changelog)])
    tps = [
        TopicPartition(stream, 0),
        TopicPartition(stream, 1),
        TopicPartition(changelog, 0),
    ]

    async def run() -> list[int]:
        await _fill(bootstrap, [stream, changelog])
        consumer = await _consumer_at_end(bootstrap, f"{prefix}group", tps)
        try:
            if fixed:
                await seek_to_committed_or_reset(consumer, "earliest", [changelog])
            else:
                await consumer.seek_to_committed()
            return await _positions(consumer, tps)
        finally:
            await consumer.stop()

    return asyncio.run(run())


def test_plain_seek_to_committed_leaves_uncommitted_partition_at_fetch_position(
    kafka_bootstrap: str, kafka_admin: Any
) -> None:
    """The library behaviour the fix works around (if aiokafka ever fixes it, this fails and
    streams.faust_fixes.py can go)."""
    positions = _scenario(kafka_bootstrap, kafka_admin, fixed=False)
    assert positions == [4, RECORDS_PER_PARTITION, RECORDS_PER_PARTITION]


def test_complete_seek_rewinds_uncommitted_partition_and_leaves_changelog(
    kafka_bootstrap: str, kafka_admin: Any
) -> None:
    positions = _scenario(kafka_bootstrap, kafka_admin, fixed=True)
    # committed partition at its commit, uncommitted one at the beginning, changelog untouched
    assert positions == [4, 0, RECORDS_PER_PARTITION]
