"""Faults against real processes: the broker stopped for 30 s mid-stream, a worker SIGKILLed
mid-batch. Afterwards every payment has its decision (redeliveries give the same decision) and
every expected alert exists exactly once by id."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams import topics as names
from streams.admin import create_topics
from streams.producer import make_producer, publish
from streams.synthetic.generator import TrafficSpec, generate
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.integration.test_windows import offline_alert_ids
from tests.kafka_broker import REPO_ROOT, broker_answers, unique_topic_prefix

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)
SCRIPT = REPO_ROOT / "deploy" / "kafka" / "kafka-local.sh"


def check_one_decision_per_payment(decisions: list, expected_ids: set[str]) -> None:
    seen: dict[str, set[bytes]] = defaultdict(set)
    for record in decisions:
        doc = orjson.loads(record.value)
        doc.pop("evaluated_at")
        seen[record.key.decode()].add(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
    assert expected_ids <= set(seen), f"{len(expected_ids - set(seen))} payments without a decision"
    assert all(len(v) == 1 for v in seen.values()), "a redelivered payment got a different decision"


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
            alerts = read_topic(broker.bootstrap, settings.topic(names.ALERTS), lambda rs: False, 5)
        finally:
            worker.stop()
        check_one_decision_per_payment(decisions, {r.label["payment_id"] for r in records})
        assert {r.key.decode() for r in alerts} == offline_alert_ids(records), worker.log_tail()
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
        time.sleep(2)
        alerts = read_topic(kafka_bootstrap, settings.topic(names.ALERTS), lambda rs: False, 5)
        dlq = read_topic(kafka_bootstrap, settings.topic(names.DLQ), lambda rs: False, 3)
    finally:
        worker.stop()
    check_one_decision_per_payment(decisions, {r.label["payment_id"] for r in records})
    assert {r.key.decode() for r in alerts} == offline_alert_ids(records)
    assert dlq == []
