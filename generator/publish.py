"""Publish generated or replayed records to a topic with kafka-python, rate-limited."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from generator.traffic import GeneratedRecord
from infra.kafka_clients import kafka_producer
from infra.settings import Settings

if TYPE_CHECKING:
    from kafka import KafkaProducer


def make_producer(settings: Settings) -> KafkaProducer:
    return kafka_producer(
        settings,
        "publisher",
        acks="all",
        linger_ms=5,
        batch_size=256 * 1024,
        max_request_size=settings.max_record_bytes + 65_536,
        # a missing topic is an error (`dinarwatch topics create` makes them with the configs
        # they need), never a topic the broker makes with its defaults
        allow_auto_create_topics=False,
    )


def publish(
    records: Iterable[GeneratedRecord],
    producer: KafkaProducer,
    topic: str,
    rate: float,
    on_sent: Callable[[GeneratedRecord], None] | None = None,
) -> int:
    """Send every record (rate per second, 0 = as fast as possible); returns the count sent.

    Flushes at the end and raises if the broker did not accept a record: a generator that
    silently lost records would corrupt every test that counts on its labels.
    """
    started = time.monotonic()
    futures = []
    sent = 0
    for record in records:
        if rate > 0:
            due = started + sent / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        headers = [("content-type", record.content_type.encode())]
        futures.append(producer.send(topic, key=record.key, value=record.value, headers=headers))
        sent += 1
        if on_sent is not None:
            on_sent(record)
        if len(futures) >= 5000:
            _settle(producer, futures)
    _settle(producer, futures)
    return sent


def _settle(producer: KafkaProducer, futures: list[object]) -> None:
    producer.flush()
    for future in futures:
        future.get(timeout=30)  # type: ignore[attr-defined]
    futures.clear()
