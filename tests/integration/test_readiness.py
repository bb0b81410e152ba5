"""`dinarwatch worker --check` and `dinarwatch topics check` against the real broker (#9).

The readiness check is what a supervisor or an ops engineer runs before starting a worker: it
must say "missing" for topics that do not exist, "ok" once they do, and exit accordingly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streams.admin import check_topics, create_topics
from streams.topics import TOPICS
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
