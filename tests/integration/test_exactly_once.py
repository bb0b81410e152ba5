"""processing_guarantee="exactly_once" against real faults, on the real broker and worker.

What exactly_once promises, as a downstream consumer with isolation_level="read_committed" reads
payments.decisions, alerts and payments.dlq after the fault: every payment has exactly one
decision record (records counted per key, not distinct keys), every expected alert (those of
offline screening) exists exactly once, and the DLQ holds exactly the bad records, once each.
The faults: the worker SIGKILLed mid-batch and restarted; a second worker joining mid-stream
(a rebalance while debtor windows are open); the broker stopped for 30 s.

Any breach of that promise in the outputs raises ExactlyOnceViolation; a worker that does not
start, a broker that does not stop, etc. fail as usual. faust-streaming 0.15.3 breaks the promise
in the first two cases (the xfail reasons say how; evidence and the workaround in
docs/delivery.md). The markers are strict and accept only ExactlyOnceViolation: once a case
passes (a Faust fix, or our workaround in streams/app.py) it fails as XPASS and its marker goes.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from tests.integration.pipeline import WorkerProcess, free_port, pipeline_settings, read_topic
from tests.integration.test_faults import (
    PrivateBroker,
    check_alerts_once_by_id,
    check_one_decision_per_payment,
)
from tests.integration.test_windows import offline_alert_ids
from tests.kafka_broker import broker_answers, unique_topic_prefix

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 4, 6, tzinfo=UTC)

OUTSIDE_TRANSACTIONS = (
    "faust-streaming #177/#517: decisions, alerts and DLQ records bypass the transactions "
    "(TransactionManager.send looks the output topic up in the consumer's metadata, finds no "
    "partition for a topic the worker does not consume, and falls back to the plain "
    "producer), so every payment handled again after the crash has a second committed "
    "decision (before streams/faust_fixes.py, 3 runs of 15 also lost a payment: the "
    "restarted worker skipped raw records and committed past them)"
)
REBALANCE = (
    "faust-streaming #323 (and #177): a rebalance neither commits nor aborts the open "
    "transactions; Faust seeks the partitions it keeps back to their committed offsets and "
    "sends their outputs again into the same open transactions ('Invalid state transition "
    "TransactionState.IN_TRANSACTION -> TransactionState.IN_TRANSACTION'), so both copies "
    "commit (the runs of records the new owner used to skip after changelog recovery were "
    "Faust's resume-before-seek, fixed in streams/faust_fixes.py)"
)

# Faust reads BROKER_SESSION_TIMEOUT from the environment: the group forgets a SIGKILLed worker
# after 10 s instead of 60 s, so its successor gets the partitions sooner (test speed only).
FAST_FAILOVER = {"BROKER_SESSION_TIMEOUT": "10"}


class ExactlyOnceViolation(AssertionError):
    """The committed outputs break the exactly_once promise (a loss, a duplicate, a payment
    decided two ways)."""


def traffic(count: int, seed: int) -> list[GeneratedRecord]:
    spec = TrafficSpec(
        count=count, seed=seed, start=START, violation_rate=0.12, malformed_rate=0.01
    )
    return list(generate(spec))


def good(records: list[GeneratedRecord]) -> list[GeneratedRecord]:
    return [r for r in records if "malformed" not in r.label]


def bad(records: list[GeneratedRecord]) -> list[GeneratedRecord]:
    return [r for r in records if "malformed" in r.label]


def committed_reader(bootstrap: str, topic: str) -> tuple[KafkaConsumer, list[TopicPartition]]:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    return consumer, partitions


def read_committed(bootstrap: str, topic: str, timeout: float = 60) -> list[Any]:
    """Every committed record of `topic`: each partition read from its start to its last stable
    offset, as a read_committed consumer sees it (aborted records and markers skipped)."""
    consumer, partitions = committed_reader(bootstrap, topic)
    try:
        end = consumer.end_offsets(partitions)  # the last stable offsets under read_committed
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"{topic}: not read to {end} in {timeout}s"
            for items in consumer.poll(timeout_ms=500, max_records=5000).values():
                records.extend(items)
        return records
    finally:
        consumer.close()


def wait_committed(
    bootstrap: str, topic: str, done: Callable[[list[Any]], bool], timeout: float
) -> list[Any]:
    """Poll `topic` read_committed until done(records) or the timeout."""
    consumer, _ = committed_reader(bootstrap, topic)
    try:
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done(records):
            for items in consumer.poll(timeout_ms=500, max_records=5000).values():
                records.extend(items)
        return records
    finally:
        consumer.close()


def feed(settings: Settings, records: list[GeneratedRecord], rate: float) -> threading.Thread:
    def run() -> None:
        producer = make_producer(settings)
        publish(records, producer, settings.topic(names.RAW), rate)
        producer.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_all_decided(bootstrap: str, settings: Settings, payment_ids: set[str]) -> None:
    """Until every payment has a committed decision (a healthy run needs a few seconds)."""
    decided = wait_committed(
        bootstrap,
        settings.topic(names.DECISIONS),
        lambda rs: {r.key.decode() for r in rs} >= payment_ids,
        timeout=75,
    )
    missing = payment_ids - {r.key.decode() for r in decided}
    if missing:
        raise ExactlyOnceViolation(
            f"{len(missing)} payments without a committed decision, e.g. {sorted(missing)[:5]}"
        )


def duplicates(per_key: Counter[str]) -> dict[str, int]:
    return {key: n for key, n in per_key.items() if n > 1}


def check_exactly_once(bootstrap: str, settings: Settings, records: list[GeneratedRecord]) -> None:
    """Read the outputs read_committed after the workers stopped (every transaction ended)."""
    decisions = read_committed(bootstrap, settings.topic(names.DECISIONS))
    alerts = read_committed(bootstrap, settings.topic(names.ALERTS))
    dlq = read_committed(bootstrap, settings.topic(names.DLQ))
    payment_ids = {r.label["payment_id"] for r in good(records)}
    bad_ids = {r.label["payment_id"] for r in bad(records)}  # malformed records keep their id key
    try:
        # what at_least_once already promises: nothing lost or invented, one content per id
        per_decision = check_one_decision_per_payment(decisions, payment_ids)
        per_alert = check_alerts_once_by_id(alerts, offline_alert_ids(good(records)))
        assert {r.key.decode() for r in dlq} == bad_ids, "the DLQ does not hold the bad records"
    except AssertionError as exc:
        raise ExactlyOnceViolation(str(exc)) from exc
    # what exactly_once adds: each of them committed once
    found = {
        "decisions": duplicates(per_decision),
        "alerts": duplicates(per_alert),
        "dlq": duplicates(Counter(r.key.decode() for r in dlq)),
    }
    if any(found.values()):
        summary = {topic: (len(d), sorted(d)[:5]) for topic, d in found.items()}
        raise ExactlyOnceViolation(f"committed more than once (count, examples): {summary}")


@pytest.mark.xfail(strict=True, raises=ExactlyOnceViolation, reason=OUTSIDE_TRANSACTIONS)
def test_sigkill_mid_batch_then_restart(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = pipeline_settings(
        kafka_bootstrap,
        unique_topic_prefix("eos-kill"),
        tmp_path,
        processing_guarantee="exactly_once",
    )
    create_topics(settings)
    records = traffic(3000, seed=71)
    worker = WorkerProcess(settings, tmp_path / "worker.log", extra_env=FAST_FAILOVER).start()
    try:
        feeder = feed(settings, records, rate=0)
        read_topic(kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 500, 60)
        worker.stop(signal.SIGKILL)
        feeder.join()
        worker = WorkerProcess(settings, tmp_path / "worker.log", extra_env=FAST_FAILOVER).start()
        wait_all_decided(kafka_bootstrap, settings, {r.label["payment_id"] for r in good(records)})
    finally:
        worker.stop()
    check_exactly_once(kafka_bootstrap, settings, records)


# Not strict: the duplicates need the rebalance to fall inside open transactions, which most runs
# show and some do not (CI once saw the first worker crash on Faust's "Can't send messages while
# not in transaction" and the second decide every payment once). Any other failure still fails.
@pytest.mark.xfail(strict=False, raises=ExactlyOnceViolation, reason=REBALANCE)
def test_second_worker_joins_mid_stream(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = pipeline_settings(
        kafka_bootstrap,
        unique_topic_prefix("eos-join"),
        tmp_path,
        processing_guarantee="exactly_once",
    )
    create_topics(settings)
    second = settings.model_copy(update={"web_port": free_port(), "data_dir": tmp_path / "data-b"})
    records = traffic(3000, seed=72)
    a = WorkerProcess(settings, tmp_path / "a.log", extra_env=FAST_FAILOVER).start()
    b = WorkerProcess(second, tmp_path / "b.log", extra_env=FAST_FAILOVER)
    try:
        feeder = feed(settings, records, rate=250)
        read_topic(kafka_bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 800, 60)
        b.start()
        feeder.join()
        wait_all_decided(kafka_bootstrap, settings, {r.label["payment_id"] for r in good(records)})
    finally:
        a.stop()
        b.stop()
    check_exactly_once(kafka_bootstrap, settings, records)


def test_broker_down_for_30s_mid_stream(kafka_bootstrap: str, tmp_path: Path) -> None:
    broker = PrivateBroker(tmp_path)
    broker.run("start", "--fresh")
    try:
        settings = pipeline_settings(
            broker.bootstrap,
            unique_topic_prefix("eos-down"),
            tmp_path,
            processing_guarantee="exactly_once",
        )
        create_topics(settings)
        records = traffic(2000, seed=73)
        worker = WorkerProcess(settings, tmp_path / "worker.log", extra_env=FAST_FAILOVER).start()
        try:
            producer = make_producer(settings)
            publish(records[:800], producer, settings.topic(names.RAW), rate=0)
            read_topic(
                broker.bootstrap, settings.topic(names.DECISIONS), lambda rs: len(rs) >= 300, 60
            )
            broker.run("stop")
            assert not broker_answers(broker.bootstrap)
            time.sleep(30)
            broker.run("start")
            publish(records[800:], producer, settings.topic(names.RAW), rate=0)
            producer.close()
            wait_all_decided(
                broker.bootstrap, settings, {r.label["payment_id"] for r in good(records)}
            )
        finally:
            worker.stop()
        check_exactly_once(broker.bootstrap, settings, records)
    finally:
        broker.run("stop")
