"""`dinarwatch worker --check` and `dinarwatch topics check` against the real broker (#9).

The readiness check is what a supervisor or an ops engineer runs before starting a worker: it
must say "missing" for topics that do not exist, "ok" once they do, and exit accordingly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.admin import check_topics, create_topics
from infra.topics import TOPICS
from tests.integration.pipeline import pipeline_settings, settings_env
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

EXE = str(Path(sys.executable).with_name("dinarwatch"))


def _run(args: list[str], settings: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        env=settings_env(settings),  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_worker_check_says_missing_then_ready(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("ready"), tmp_path)
    before = _run(["worker", "--check"], settings)
    assert before.returncode == 1, before.stdout + before.stderr
    assert "missing" in before.stdout + before.stderr

    create_topics(settings)
    after = _run(["worker", "--check"], settings)
    out = after.stdout + after.stderr
    assert after.returncode == 0, out
    for spec in TOPICS:
        assert f"topic {settings.topic(spec.name)}: ok" in out
    assert "rule pack" in out


def test_create_topics_twice_reports_existing_topics(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("twice"), tmp_path)
    first = create_topics(settings)
    second = create_topics(settings)  # the demo and `topics create` run this on every start
    names = {settings.topic(spec.name) for spec in TOPICS}
    assert {s.name for s in first} == names and all(s.created for s in first)
    assert {s.name for s in second} == names and not any(s.created for s in second)
    assert all(s.exists and s.partitions == settings.topic_partitions for s in second)
    assert {s.name for s in check_topics(settings)} == names


def test_checks_name_each_topic_setting_that_differs(tmp_path: Path, kafka_bootstrap: str) -> None:
    """An auto-created-like watchlists topic (delete policy, the broker's 1 MiB limit) and a
    payments.valid with the wrong partition count exist, so a presence check would pass; both
    checks must fail and say what differs, one line each."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    from infra import topics as names

    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("conf"), tmp_path)
    watchlists, valid = settings.topic(names.WATCHLISTS), settings.topic(names.VALID)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics(
            [
                NewTopic(
                    watchlists,
                    settings.topic_partitions,
                    1,
                    topic_configs={"cleanup.policy": "delete", "max.message.bytes": "1048588"},
                ),
                NewTopic(valid, 2, 1),
            ]
        )
    finally:
        admin.close()
    create_topics(settings)  # the others, as `topics create` makes them

    statuses = {s.name: s for s in check_topics(settings)}
    assert not statuses[watchlists].ok and not statuses[valid].ok
    assert all(s.ok for n, s in statuses.items() if n not in (watchlists, valid))

    for args in (["topics", "check"], ["worker", "--check"]):
        result = _run(args, settings)
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        lines = out.splitlines()
        assert f"topic {watchlists}: cleanup.policy=delete, needs compact" in "\n".join(lines)
        assert any(
            line.startswith(f"topic {watchlists}: max.message.bytes=1,048,588, needs at least")
            for line in lines
        ), out
        assert any(line.startswith(f"topic {valid}: 2 partitions, needs 4") for line in lines), out
        assert f"topic {settings.topic(names.RAW)}: ok" in out


def test_check_names_too_few_replicas(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("rf"), tmp_path)
    create_topics(settings)  # replication factor 1, the test broker's only choice
    wanting_two = settings.model_copy(update={"replication_factor": 2})
    statuses = check_topics(wanting_two)
    assert statuses and not any(s.ok for s in statuses)
    for status in statuses:
        assert status.differences == (
            "replication factor 1, needs 2 (DINARWATCH_REPLICATION_FACTOR)",
        )
