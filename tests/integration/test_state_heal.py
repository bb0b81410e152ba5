"""A worker whose local table state does not belong to the changelog heals instead of dying.

Faust keeps, in each RocksDB partition of the window table, the last changelog offset it
applied. After the broker's storage is reset (or the changelog topic is deleted and made
again) that offset lies beyond the changelog's end, and faust-streaming 0.15.3 raises
ConsistencyError at every start: the worker crash-loops (issue 13, `make demo` on a fresh
clone). streams/faust_fixes.py (fix 3) discards such a partition and rebuilds it from the
changelog. Checked here on real brokers: every payment sent after the reset gets a decision,
the reset is counted in dinarwatch_table_store_resets_total and logged once per partition.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from tests.integration.pipeline import WorkerProcess, metric_value, pipeline_settings, read_topic
from tests.integration.test_faults import (
    START,
    PrivateBroker,
    check_one_decision_per_payment,
)
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

HEAL_LOG = "does not belong to its changelog"
RESETS = "dinarwatch_table_store_resets_total"


def _payments(count: int, seed: int) -> list[GeneratedRecord]:
    return list(generate(TrafficSpec(count=count, seed=seed, start=START, violation_rate=0.1)))


def _ids(records: list[GeneratedRecord]) -> frozenset[str]:
    return frozenset(r.label["payment_id"] for r in records)


def _run_until_decided(
    settings: Settings,
    records: list[GeneratedRecord],
    log: Path,
    earlier: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """Start a worker, send `records`, wait until each has a decision, stop the worker; check
    one decision per payment (`earlier`: ids decided by a previous run on the same topics).
    Returns the worker's /metrics text and this run's log."""
    start = log.stat().st_size if log.exists() else 0
    worker = WorkerProcess(settings, log).start(timeout=120)
    try:
        producer = make_producer(settings)
        publish(records, producer, settings.topic(names.RAW), rate=0)
        producer.close()
        decisions = read_topic(
            settings.kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: _ids(records) <= {r.key.decode() for r in rs},
            180,
        )
        metrics = worker.metrics()
    finally:
        worker.stop()
    check_one_decision_per_payment(decisions, set(_ids(records) | earlier), worker.log_tail(120))
    return metrics, log.read_bytes()[start:].decode("utf-8", "replace")


def test_worker_heals_after_broker_storage_reset(tmp_path: Path, kafka_bootstrap: str) -> None:
    broker = PrivateBroker(tmp_path)
    broker.port = 25092 + os.getpid() % 500  # not test_faults' port: both may run at once
    broker.env.update(KAFKA_PORT=str(broker.port), KAFKA_CONTROLLER_PORT=str(broker.port + 1))
    broker.run("start", "--fresh")
    try:
        settings = pipeline_settings(broker.bootstrap, unique_topic_prefix("heal"), tmp_path)
        create_topics(settings)
        before = _payments(400, seed=71)
        metrics, log = _run_until_decided(settings, before, tmp_path / "worker.log")
        assert metric_value(metrics, RESETS, {"table": "debtor-windows"}) == 0
        assert HEAL_LOG not in log

        broker.run("stop")
        broker.run("start", "--fresh")  # a new cluster: no topics, no changelog, no offsets
        create_topics(settings)
        after = _payments(300, seed=72)
        metrics, log = _run_until_decided(settings, after, tmp_path / "worker.log")
    finally:
        broker.run("stop")
    assert "ConsistencyError" not in log
    healed = log.count(HEAL_LOG)
    assert healed == settings.topic_partitions, log  # every partition held state from run 1
    assert metric_value(metrics, RESETS, {"table": "debtor-windows"}) == healed


def test_worker_heals_after_changelog_recreated_and_grown(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    """The changelog is deleted and created again, and holds more records than the local
    state had applied before the worker returns: offsets cannot tell (Faust would resume the
    old state silently), the changelog's topic id can."""
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("relog"), tmp_path)
    create_topics(settings)
    before = _payments(400, seed=73)
    _run_until_decided(settings, before, tmp_path / "worker.log")

    changelog = f"{names.faust_app_id(settings)}-{names.WINDOW_TABLE}-changelog"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert changelog in admin.list_topics()
        admin.delete_topics([changelog])
        deadline = time.monotonic() + 60
        while changelog in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert changelog not in admin.list_topics()
        admin.create_topics(
            [
                NewTopic(
                    changelog,
                    settings.topic_partitions,
                    1,
                    topic_configs={"cleanup.policy": "compact"},
                )
            ]
        )
    finally:
        admin.close()
    # more records per partition than run 1 wrote: tombstones for keys no payment uses
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, allow_auto_create_topics=False)
    for partition in range(settings.topic_partitions):
        for i in range(1000):
            producer.send(changelog, key=f'"probe-{i}"'.encode(), value=None, partition=partition)
    producer.flush()
    producer.close()

    after = _payments(300, seed=74)
    metrics, log = _run_until_decided(settings, after, tmp_path / "worker.log", _ids(before))
    healed = log.count(HEAL_LOG)
    assert healed == settings.topic_partitions, log
    assert "built from an earlier topic of that name" in log
    assert metric_value(metrics, RESETS, {"table": "debtor-windows"}) == healed
