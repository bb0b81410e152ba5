"""Poison input never stops the pipeline: each ends in the DLQ with a reason and is counted,
and the good payments around it are screened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import orjson
import pytest
from kafka import KafkaProducer

from generator.publish import make_producer
from infra import topics as names
from infra.admin import create_topics
from screening.deadletter import headers_as_dict
from tests.factories import payment_doc
from tests.integration.pipeline import WorkerProcess, metric_value, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix
from tests.unit.schemas.parsers.samples import PACS008, prowide_mt103_chunks

pytestmark = pytest.mark.integration


def doc(payment_id: str, **changes: object) -> bytes:
    return orjson.dumps(payment_doc(payment_id=payment_id, **changes))


class Poison(NamedTuple):
    key: bytes | None
    value: bytes
    reason: str
    content_type: bytes | None = None
    timestamp_ms: int | None = None  # the Kafka record timestamp (default: the producer's now)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_poison_records_go_to_the_dlq_and_the_pipeline_goes_on(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("poison"), tmp_path)
    create_topics(settings)
    now = datetime.now(UTC)
    future = (now + timedelta(days=30)).isoformat()
    pacs008 = PACS008[0].read_bytes()
    mt103 = prowide_mt103_chunks()[0][1].encode()
    poison = [
        Poison(b"huge", doc("HUGE", remittance_info="X" * (5 * 1_048_576)), "too-large"),
        Poison(None, b'{"payment_id": "NOKEY"', "json-invalid"),
        # The broker refuses record timestamps over an hour ahead (Kafka 4 default), so the
        # record's own timestamp is only near-future; created_at is a month ahead.
        Poison(
            b"future",
            doc("FUTURE", created_at=future),
            "future-timestamp",
            timestamp_ms=_ms(now + timedelta(minutes=50)),
        ),
        Poison(
            b"ancient",
            doc("ANCIENT", created_at="1970-01-02T00:00:00Z"),
            "ancient-timestamp",
            timestamp_ms=_ms(datetime(1970, 1, 2, tzinfo=UTC)),
        ),
        Poison(b"utf8", doc("UTF8").replace(b"Babel", b"B\xc3\x28bel"), "not-utf8"),
        Poison(b"keyless-empty", b"", "empty"),
        Poison(b"cut-pacs008", pacs008[: len(pacs008) // 2], "xml-invalid", b"application/xml"),
        Poison(b"cut-mt103", mt103[: len(mt103) // 2], "mt-structure", b"text/x-swift-mt"),
        # 12 bytes of amount whose plain form is a gigabyte: serialising it aborted the worker.
        Poison(b"amount", doc("AMOUNT", amount="1E+999999999"), "json-schema"),
    ]
    assert len({p.value for p in poison}) == len(poison)
    good = [(f"GOOD-{i}".encode(), doc(f"GOOD-{i}")) for i in range(3 * len(poison) + 2)]
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        producer: KafkaProducer = make_producer(settings)
        topic = settings.topic(names.RAW)
        for i, item in enumerate(poison):
            sent = [("content-type", item.content_type)] if item.content_type else None
            producer.send(
                topic,
                key=item.key,
                value=item.value,
                headers=sent,
                timestamp_ms=item.timestamp_ms,
            )
            for gkey, gvalue in good[i * 3 : i * 3 + 3]:  # good records after each poison
                producer.send(topic, key=gkey, value=gvalue)
        for gkey, gvalue in good[3 * len(poison) :]:
            producer.send(topic, key=gkey, value=gvalue)
        producer.flush()
        producer.close()
        decisions = read_topic(
            kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= len(good), 90
        )
        dlq = read_topic(
            kafka_bootstrap, settings.topic(names.DLQ), lambda rs: len(rs) >= len(poison), 90
        )
        metrics = worker.metrics()
        assert worker.proc is not None and worker.proc.poll() is None, worker.log_tail()
    finally:
        worker.stop()
    assert {r.key.decode() for r in decisions} == {key.decode() for key, _ in good}
    assert len(dlq) == len(poison)
    by_value = {(r.value or b""): r for r in dlq}
    for item in poison:
        record = by_value[item.value]  # the original bytes, untouched
        assert record.key == item.key
        headers = headers_as_dict(record.headers)
        assert headers["dinarwatch-reason"] == item.reason, headers
        assert headers["dinarwatch-detail"]
        if item.content_type:  # the producer's headers survive next to ours
            assert headers["content-type"] == item.content_type.decode()
    for reason in {item.reason for item in poison}:
        expected = sum(item.reason == reason for item in poison)
        assert metric_value(metrics, "dinarwatch_dead_letters_total", {"reason": reason}) == (
            expected
        ), reason
    assert metric_value(metrics, "dinarwatch_dead_letters_total") == len(poison)
