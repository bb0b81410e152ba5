"""Windowed rules on the real broker: same alerts as offline screening, and exactly one alert per
planted pattern across a SIGKILLed worker and a rebalance."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from lists.files import default_context
from offline.screen import Screened, SourceRecord, screen_records
from tests.integration.pipeline import (
    WorkerProcess,
    free_port,
    pipeline_settings,
    read_to_end,
    read_topic,
    wait_caught_up,
)
from tests.kafka_broker import unique_topic_prefix
from tests.waits import wait_until

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)
WINDOWED = {"USD-STRUCTURING", "USD-FANOUT"}


def offline_alert_ids(records: list[GeneratedRecord]) -> set[str]:
    sources = [SourceRecord(r.label["payment_id"], r.value) for r in records]
    ids = set()
    for result in screen_records(sources, default_context(), START, 1_048_576):
        assert isinstance(result, Screened)
        ids |= {a.alert_id for a in result.alerts}
    return ids


def feed(settings: object, records: list[GeneratedRecord], rate: float) -> threading.Thread:
    def run() -> None:
        producer = make_producer(settings)  # type: ignore[arg-type]
        publish(records, producer, settings.topic(names.RAW), rate)  # type: ignore[attr-defined]
        producer.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_worker_alerts_equal_offline_screening(kafka_bootstrap: str, tmp_path: Path) -> None:
    records = list(generate(TrafficSpec(count=3000, seed=31, start=START, violation_rate=0.12)))
    expected = offline_alert_ids(records)
    planted_windows = sum(bool(set(r.label["expected_rules"]) & WINDOWED) for r in records)
    assert planted_windows >= 20
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("eq"), tmp_path)
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        feed(settings, records, rate=0).join()
        alerts = read_topic(
            kafka_bootstrap,
            settings.topic(names.ALERTS),
            lambda rs: len({r.key for r in rs}) >= len(expected),
            timeout=180,
        )
        wait_caught_up(settings)  # everything processed: no further alert can come
        alerts = read_to_end(kafka_bootstrap, settings.topic(names.ALERTS))
    finally:
        worker.stop()
    live = {r.key.decode() for r in alerts}
    assert live == expected, worker.log_tail()


def test_sigkill_and_rebalance_lose_and_duplicate_no_pattern(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    records = list(generate(TrafficSpec(count=4000, seed=41, start=START, violation_rate=0.12)))
    expected = offline_alert_ids(records)
    expected_windowed = {
        r.label["payment_id"] for r in records if set(r.label["expected_rules"]) & WINDOWED
    }
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("crash"), tmp_path)
    create_topics(settings)
    second = settings.model_copy(update={"web_port": free_port(), "data_dir": tmp_path / "data-b"})
    a = WorkerProcess(settings, tmp_path / "a.log").start()
    b = WorkerProcess(second, tmp_path / "b.log").start()
    feeder = feed(settings, records, rate=250)
    try:
        read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len(rs) >= 1200,
            timeout=120,
        )
        b.stop(signal.SIGKILL)
        seen = len(read_to_end(kafka_bootstrap, settings.topic(names.DECISIONS)))
        wait_until(  # a keeps deciding while b is dead
            lambda: len(read_to_end(kafka_bootstrap, settings.topic(names.DECISIONS))) > seen,
            60,
            "worker a to decide more payments after b was killed",
            interval=0.5,
        )
        b = WorkerProcess(second, tmp_path / "b.log").start()
        feeder.join(timeout=120)
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= len(records),
            timeout=240,
        )
        wait_caught_up(settings)
        alerts = read_to_end(kafka_bootstrap, settings.topic(names.ALERTS))
    finally:
        a.stop()
        b.stop()
    decided = {r.key.decode() for r in decisions}
    missing = {r.label["payment_id"] for r in records} - decided
    assert not missing, f"{len(missing)} undecided\n" + a.log_tail() + b.log_tail()
    docs = {r.key.decode(): orjson.loads(r.value) for r in alerts}
    assert set(docs) == expected
    windowed = {k: v for k, v in docs.items() if v["rule"] in WINDOWED}
    # exactly one alert id per planted pattern (the record may be redelivered; its id is stable)
    assert len(windowed) == len(expected_windowed)
    flagged_debtors = {v["findings"][0]["matched"] for v in windowed.values()}
    assert len(flagged_debtors) == len(expected_windowed)
