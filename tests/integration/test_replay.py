"""Replay equals live: alerts a real worker raised on the real broker equal a replay of the same
feed (from the file and from the topic's time range), and --compare finds no difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from generator.publish import make_producer, publish
from infra import topics as names
from infra.admin import create_topics
from infra.errors import EXIT_NOTHING_SCREENED
from lists.files import default_context
from offline.replay.kafka_source import KafkaSource
from offline.replay.runner import ReplayParams, run_replay
from offline.replay.sources import FileSource
from tests.integration.pipeline import (
    WorkerProcess,
    pipeline_settings,
    read_to_end,
    read_topic,
    wait_caught_up,
)
from tests.kafka_broker import unique_topic_prefix
from tests.unit.offline.replay.feeds import feed_records, write_feed

pytestmark = pytest.mark.integration
COUNT = 1500


def test_live_alerts_equal_a_replay_of_the_feed(kafka_bootstrap: str, tmp_path: Path) -> None:
    records = feed_records(COUNT, seed=61, fmt="mixed", violation_rate=0.12)
    feed = write_feed(tmp_path / "feed.jsonl", records)
    ctx = default_context()
    offline = run_replay(FileSource([feed]), ctx, ReplayParams(), tmp_path / "offline")
    expected = offline.report["counts"]["alerts"]
    assert expected > 60 and offline.report["counts"]["payments"] == COUNT

    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("replay"), tmp_path)
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        published_from = datetime.now(UTC) - timedelta(seconds=1)
        producer = make_producer(settings)
        publish(records, producer, settings.topic(names.RAW), rate=0)
        producer.close()
        published_to = datetime.now(UTC) + timedelta(seconds=1)
        read_topic(
            kafka_bootstrap,
            settings.topic(names.ALERTS),
            lambda rs: len({r.key for r in rs}) >= expected,
            timeout=120,
        )
        wait_caught_up(settings)  # all processed: an extra (wrong) alert would be there now
        alerts = read_to_end(kafka_bootstrap, settings.topic(names.ALERTS))
    finally:
        worker.stop()
    live = tmp_path / "live-alerts.jsonl"
    live.write_bytes(b"".join(r.value + b"\n" for r in alerts))
    assert len({r.key for r in alerts}) == expected, worker.log_tail()

    from_file = run_replay(
        FileSource([feed]), ctx, ReplayParams(), tmp_path / "file", compare_with=live
    )
    assert from_file.comparison is not None
    assert from_file.comparison.diffs == [], from_file.comparison.as_json()["differences"][:5]
    assert from_file.comparison.identical == expected

    topic = KafkaSource(settings, settings.topic(names.RAW), published_from, published_to)
    from_topic = run_replay(topic, ctx, ReplayParams(), tmp_path / "topic", compare_with=live)
    assert from_topic.comparison is not None and not from_topic.comparison.differs
    assert from_topic.report["input"]["kind"] == "kafka"
    assert from_topic.report["input"]["records"] == COUNT
    for name in ("decisions.jsonl", "alerts.jsonl"):
        assert (tmp_path / "topic" / name).read_bytes() == (tmp_path / "file" / name).read_bytes()

    _cli_topic_range(settings, published_from, published_to, live, tmp_path)


def _cli_topic_range(
    settings: object, start: datetime, end: datetime, live: Path, tmp_path: Path
) -> None:
    """The same through the command line, and an empty range before the feed was published
    (exit 6, nothing screened, with the report written: docs/cli.md)."""
    from cli.app import app

    topic = settings.topic(names.RAW)  # type: ignore[attr-defined]
    bootstrap = settings.kafka_bootstrap  # type: ignore[attr-defined]
    common = ["replay", "--topic", topic, "--bootstrap", bootstrap, "--no-progress"]
    result = CliRunner().invoke(
        app,
        [
            *common,
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--report",
            str(tmp_path / "cli"),
            "--compare",
            str(live),
        ],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "cli" / "report.json").read_bytes())
    assert report["counts"]["payments"] == COUNT
    assert (
        report["compare"]["missing"]
        == report["compare"]["extra"]
        == report["compare"]["changed"]
        == 0
    )
    before = (start - timedelta(hours=1)).isoformat()
    empty = CliRunner().invoke(
        app, [*common, "--from", before, "--to", start.isoformat(), "--report", str(tmp_path / "e")]
    )
    assert empty.exit_code == EXIT_NOTHING_SCREENED, empty.output
    assert "no record in topic" in empty.output
    assert orjson.loads((tmp_path / "e" / "report.json").read_bytes())["counts"]["payments"] == 0
