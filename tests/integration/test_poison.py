"""Poison input never stops the pipeline: each ends in the DLQ with a reason and is counted,
and the good payments around it are screened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from kafka import KafkaProducer

from streams import topics as names
from streams.admin import create_topics
from streams.deadletter import headers_as_dict
from streams.producer import make_producer
from tests.factories import payment_doc
from tests.integration.pipeline import WorkerProcess, metric_value, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration


def doc(payment_id: str, **changes: object) -> bytes:
    return orjson.dumps(payment_doc(payment_id=payment_id, **changes))


def test_poison_records_go_to_the_dlq_and_the_pipeline_goes_on(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("poison"), tmp_path)
    create_topics(settings)
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    poison: list[tuple[bytes | None, bytes, str]] = [
        (b"huge", doc("HUGE", remittance_info="X" * (5 * 1_048_576)), "too-large"),
        (None, b'{"payment_id": "NOKEY"', "json-invalid"),
        (b"future", doc("FUTURE", created_at=future), "future-timestamp"),
        (b"ancient", doc("ANCIENT", created_at="1970-01-02T00:00:00Z"), "ancient-timestamp"),
        (b"utf8", doc("UTF8").replace(b"Babel", b"B\xc3\x28bel"), "not-utf8"),
        (b"keyless-empty", b"", "empty"),
    ]
    good = [(f"GOOD-{i}".encode(), doc(f"GOOD-{i}")) for i in range(20)]
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        producer: KafkaProducer = make_producer(settings)
        topic = settings.topic(names.RAW)
        for i, (key, value, _) in enumerate(poison):
            producer.send(topic, key=key, value=value)
            for gkey, gvalue in good[i * 3 : i * 3 + 3]:
                producer.send(topic, key=gkey, value=gvalue)
        for gkey, gvalue in good[18:]:
            producer.send(topic, key=gkey, value=gvalue)
        producer.flush()
        producer.close()
        decisions = read_topic(
            kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 20, 90
        )
        dlq = read_topic(
            kafka_bootstrap, settings.topic(names.DLQ), lambda rs: len(rs) >= len(poison), 90
        )
        metrics = worker.metrics()
    finally:
        worker.stop()
    assert {r.key.decode() for r in decisions} == {f"GOOD-{i}" for i in range(20)}
    by_reason = {headers_as_dict(r.headers)["dinarwatch-reason"]: r for r in dlq}
    assert set(by_reason) == {reason for _, _, reason in poison}
    for key, value, reason in poison:
        record = by_reason[reason]
        assert record.key == key
        assert (record.value or b"") == value, reason
        assert headers_as_dict(record.headers)["dinarwatch-detail"]
        assert metric_value(metrics, "dinarwatch_dead_letters_total", {"reason": reason}) == 1
