"""The outbox's Kafka side: kafka-python's producer, created on first use so the desk starts
(and serves its queue) while the broker is away; unsent events wait in the outbox."""

from __future__ import annotations

import threading
from typing import Any

from infra.kafka_clients import kafka_producer
from infra.settings import Settings


class KafkaPublisher:
    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self._settings = settings
        self._timeout = timeout
        self._producer: Any = None
        self._lock = threading.Lock()  # background flushes of concurrent requests share it

    def publish(self, topic: str, key: bytes, value: bytes) -> None:
        with self._lock:
            if self._producer is None:
                self._producer = kafka_producer(
                    self._settings,
                    "desk",
                    acks="all",
                    max_request_size=self._settings.max_record_bytes + 65_536,
                    allow_auto_create_topics=False,  # `topics create` makes them, with configs
                )
            producer = self._producer
        future = producer.send(self._settings.topic(topic), key=key, value=value)
        future.get(timeout=self._timeout)

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self._timeout)
                self._producer = None
