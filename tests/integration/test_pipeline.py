"""The walking skeleton end to end on the real broker: raw -> worker -> decisions/alerts/DLQ."""

from __future__ import annotations

import random
import re
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from generator.malformed import MALFORMED_KINDS, make_malformed
from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord, TrafficSpec, clean_payment, generate
from infra import topics as names
from infra.admin import create_topics
from screening.deadletter import headers_as_dict
from tests.integration.pipeline import (
    WorkerProcess,
    group_is_empty,
    metric_value,
    pipeline_settings,
    read_topic,
)
from tests.kafka_broker import unique_topic_prefix
from tests.waits import wait_until

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def malformed_records(count: int, max_bytes: int) -> list[GeneratedRecord]:
    rng = random.Random(99)
    out = []
    for i in range(count):
        kind = MALFORMED_KINDS[i % len(MALFORMED_KINDS)]
        pid = f"BAD-{i:04d}"
        raw = make_malformed(rng, kind, clean_payment(rng, pid, START, 1.0), max_bytes)
        out.append(GeneratedRecord(pid.encode(), raw, "application/json", {"malformed": kind}))
    return out


def test_skeleton_end_to_end(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("e2e"), tmp_path)
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        spec = TrafficSpec(count=2000, seed=21, start=START, violation_rate=0.05)
        good = list(generate(spec))
        bad = malformed_records(20, settings.max_message_bytes)
        producer = make_producer(settings)
        publish(good + bad, producer, settings.topic(names.RAW), rate=0)
        producer.close()

        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= 2000,
            timeout=180,
        )
        dlq = read_topic(
            kafka_bootstrap, settings.topic(names.DLQ), lambda rs: len(rs) >= 20, timeout=60
        )
        planted = {r.label["payment_id"] for r in good if r.label["expected_rules"]}
        alerts = read_topic(
            kafka_bootstrap,
            settings.topic(names.ALERTS),
            lambda rs: len(rs) >= len(planted),
            timeout=60,
        )
        metrics = worker.metrics()
    finally:
        worker.stop()

    by_id = {r.key.decode(): orjson.loads(r.value) for r in decisions}
    assert len(by_id) == 2000, worker.log_tail()
    assert len(planted) > 50
    for record in good:
        decision = by_id[record.label["payment_id"]]
        rules = sorted({f["rule"] for f in decision["findings"]})
        assert rules == record.label["expected_rules"], decision
        assert decision["decision"] == record.label["expected_decision"]
        if "CBI-USD-BAN" in record.label["expected_rules"]:
            (finding,) = [f for f in decision["findings"] if f["rule"] == "CBI-USD-BAN"]
            assert finding["entry_id"].startswith("cbi-")
            assert finding["list_version"] and finding["legal_source"] and finding["explanation"]

    alert_docs = [orjson.loads(r.value) for r in alerts]
    assert {a["payment"]["payment_id"] for a in alert_docs} == planted
    assert {a["alert_id"] for a in alert_docs} == {r.key.decode() for r in alerts}

    assert len(dlq) == 20
    sent = {r.key: r.value for r in bad}
    for record in dlq:
        headers = headers_as_dict(record.headers)
        assert record.value == sent[record.key] or (
            record.value in (None, b"") and sent[record.key] == b""
        )
        assert headers["dinarwatch-reason"], headers
        assert headers["dinarwatch-source-topic"] == settings.topic(names.RAW)
        assert int(headers["dinarwatch-source-offset"]) >= 0
        assert headers["content-type"] == "application/json"
    reasons = {headers_as_dict(r.headers)["dinarwatch-reason"] for r in dlq}
    assert {"too-large", "empty"} <= reasons

    assert metric_value(metrics, "dinarwatch_payments_total") == 2000
    for verdict in ("pass", "review", "block"):
        expected = sum(r.label["expected_decision"] == verdict for r in good)
        assert metric_value(metrics, "dinarwatch_payments_total", {"decision": verdict}) == expected
    cbi = sum("CBI-USD-BAN" in r.label["expected_rules"] for r in good)
    assert cbi > 10  # the plantings are spread over every rule of the catalogue
    assert metric_value(metrics, "dinarwatch_alerts_total", {"rule": "CBI-USD-BAN"}) == cbi
    assert metric_value(metrics, "dinarwatch_dead_letters_total") == 20
    assert metric_value(metrics, "dinarwatch_end_to_end_seconds_count") == 2000
    assert metric_value(metrics, "dinarwatch_screening_seconds_count") == 2000

    # accounts never reach the logs in full, even from rejected records
    log = (tmp_path / "worker.log").read_text("utf-8", "replace")
    accounts = {p["debtor"]["account"] for p in map(orjson.loads, (r.value for r in good))}
    assert accounts and not [a for a in accounts if a in log]
    assert not re.search(r"\bIQ\d{2}[A-Z]{4}\d{15}\b", log)


def test_restart_mid_stream_leaves_no_payment_undecided(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("restart"), tmp_path)
    create_topics(settings)
    log = tmp_path / "worker.log"
    worker = WorkerProcess(settings, log).start()
    count = 3000
    spec = TrafficSpec(count=count, seed=5, start=START, violation_rate=0.05)

    def produce() -> None:
        producer = make_producer(settings)
        publish(generate(spec), producer, settings.topic(names.RAW), rate=400)
        producer.close()

    feeder = threading.Thread(target=produce)
    feeder.start()
    seen = read_topic(
        kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 600, timeout=90
    )
    assert len(seen) >= 600, worker.log_tail()
    assert worker.stop(signal.SIGTERM) is not None
    wait_until(
        lambda: group_is_empty(kafka_bootstrap, settings.app_id), 60, "the stopped worker to leave"
    )
    worker = WorkerProcess(settings, log).start()
    feeder.join(timeout=120)
    try:
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= count,
            timeout=180,
        )
    finally:
        worker.stop()
    decided = {r.key.decode() for r in decisions}
    expected = {f"SYN-5-{i:08d}" for i in range(count)}
    assert expected - decided == set(), worker.log_tail()
