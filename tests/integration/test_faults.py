"""Faults against real processes under the default at_least_once guarantee: the broker stopped
for 30 s mid-stream, a worker SIGKILLed mid-batch.

What at_least_once promises (docs/delivery.md), checked after each fault: every payment in
payments.raw has exactly one decision by payment id -- at least one decision record, all of
that payment's records identical but for evaluated_at (a record handled again after a crash is
written again), and no decision for anything else; every expected alert exists exactly once by
id (the ids of offline screening, each id's records identical but for raised_at). Counting
records per key (exactly one each) is what exactly_once adds: tests/integration/
test_exactly_once.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from generator.publish import make_producer, publish
from generator.traffic import TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from tests.integration.pipeline import (
    WorkerProcess,
    pipeline_settings,
    read_to_end,
    read_topic,
    wait_caught_up,
)
from tests.integration.test_windows import offline_alert_ids
from tests.kafka_broker import REPO_ROOT, broker_answers, unique_topic_prefix

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)
SCRIPT = REPO_ROOT / "deploy" / "kafka" / "kafka-local.sh"


def _contents_by_key(records: list[Any], volatile: str) -> dict[str, set[bytes]]:
    """Each key's distinct record contents, ignoring the `volatile` timestamp field."""
    seen: dict[str, set[bytes]] = defaultdict(set)
    for record in records:
        doc = orjson.loads(record.value)
        doc.pop(volatile)
        seen[record.key.decode()].add(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
    return seen


def check_one_decision_per_payment(
    decisions: list[Any], expected_ids: set[str], log: str = ""
) -> Counter[str]:
    """Every expected payment has exactly one decision by payment id: one or more records, all
    the same but for evaluated_at, and no decision for another id. Returns the records per id
    (more than one: the payment was handled again after a fault). `log` (the worker's log
    tail) is printed with a failure: CI keeps no other trace of the worker."""
    seen = _contents_by_key(decisions, "evaluated_at")
    missing, unexpected = expected_ids - set(seen), set(seen) - expected_ids
    assert not missing, (
        f"{len(missing)} payments without a decision, e.g. {sorted(missing)[:3]}; "
        f"worker log tail:\n{log}"
    )
    assert not unexpected, f"decisions for unknown payments: {sorted(unexpected)[:3]}"
    different = sorted(k for k, v in seen.items() if len(v) > 1)
    assert not different, f"redelivered payments got a different decision: {different[:3]}"
    return Counter(record.key.decode() for record in decisions)


def check_alerts_once_by_id(
    alerts: list[Any], expected_ids: set[str], log: str = ""
) -> Counter[str]:
    """Every expected alert exists exactly once by alert id: the ids are those of offline
    screening, each id's records the same but for raised_at. Returns the records per id."""
    seen = _contents_by_key(alerts, "raised_at")
    missing, unexpected = expected_ids - set(seen), set(seen) - expected_ids
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}\n{log}"
    different = sorted(k for k, v in seen.items() if len(v) > 1)
    assert not different, f"an alert id with different contents: {different[:3]}"
    return Counter(record.key.decode() for record in alerts)


class PrivateBroker:
    """A broker of this test's own, so stopping it disturbs no other test."""

    def __init__(self, tmp: Path) -> None:
        # below the ephemeral range (32768+): a client retrying a dead port can otherwise
        # self-connect on it and keep the restarted broker from binding
        self.port = 24092 + os.getpid() % 500
        self.env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_HOME_DIR": str(tmp / "kafka"),
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def run(self, *args: str) -> None:
        subprocess.run(["bash", str(SCRIPT), *args], env=self.env, check=True, capture_output=True)


def test_broker_down_for_30s_mid_stream(tmp_path: Path, kafka_bootstrap: str) -> None:
    broker = PrivateBroker(tmp_path)
    broker.run("start", "--fresh")
    try:
        settings = pipeline_settings(broker.bootstrap, unique_topic_prefix("down"), tmp_path)
        create_topics(settings)
        records = list(generate(TrafficSpec(count=2500, seed=51, start=START, violation_rate=0.1)))
        worker = WorkerProcess(settings, tmp_path / "worker.log").start()
        producer = make_producer(settings)
        publish(records[:1000], producer, settings.topic(names.RAW), rate=0)
        read_topic(broker.bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 300, 60)
        broker.run("stop")
        assert not broker_answers(broker.bootstrap)
        time.sleep(30)
        broker.run("start")
        publish(records[1000:], producer, settings.topic(names.RAW), rate=0)
        producer.close()
        try:
            decisions = read_topic(
                broker.bootstrap,
                settings.topic(names.DECISIONS),
                lambda rs: len({r.key for r in rs}) >= len(records),
                240,
            )
            wait_caught_up(settings)
            alerts = read_to_end(broker.bootstrap, settings.topic(names.ALERTS))
            dlq = read_to_end(broker.bootstrap, settings.topic(names.DLQ))
        finally:
            worker.stop()
        check_one_decision_per_payment(
            decisions, {r.label["payment_id"] for r in records}, worker.log_tail()
        )
        check_alerts_once_by_id(alerts, offline_alert_ids(records), worker.log_tail())
        assert dlq == []  # the feed holds no bad record, so the DLQ must stay empty
    finally:
        broker.run("stop")


def test_worker_sigkill_mid_batch(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("kill"), tmp_path)
    create_topics(settings)
    records = list(generate(TrafficSpec(count=3000, seed=61, start=START, violation_rate=0.1)))
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()

    def feed() -> None:
        producer = make_producer(settings)
        publish(records, producer, settings.topic(names.RAW), rate=0)
        producer.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    read_topic(kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 500, 60)
    worker.stop(signal.SIGKILL)
    feeder.join()
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= len(records),
            180,
        )
        wait_caught_up(settings)  # all processed: nothing more can reach alerts or the DLQ
        alerts = read_to_end(kafka_bootstrap, settings.topic(names.ALERTS))
        dlq = read_to_end(kafka_bootstrap, settings.topic(names.DLQ))
    finally:
        worker.stop()
    check_one_decision_per_payment(
        decisions, {r.label["payment_id"] for r in records}, worker.log_tail(120)
    )
    check_alerts_once_by_id(alerts, offline_alert_ids(records), worker.log_tail(120))
    assert dlq == []
