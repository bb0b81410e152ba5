"""Smoke test for the kafka_bootstrap fixture: one record through a real broker."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from tests.kafka_broker import broker_answers, unique_topic_prefix


@pytest.mark.integration
def test_produce_and_consume_one_record(kafka_bootstrap: str, kafka_admin: Any) -> None:
    assert broker_answers(kafka_bootstrap)
    prefix = unique_topic_prefix()
    topic = f"{prefix}smoke"
    kafka_admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        meta = producer.send(topic, key=b"txn-1", value=b'{"amount_usd": 100}').get(timeout=30)
    finally:
        producer.close()
    assert (meta.topic, meta.partition, meta.offset) == (topic, 0, 0)

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{prefix}group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    records: list[tuple[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + 30
        while not records and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend((r.key, r.value) for r in batch)
    finally:
        consumer.close()
    assert records == [(b"txn-1", b'{"amount_usd": 100}')]
