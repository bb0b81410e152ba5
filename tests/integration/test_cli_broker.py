"""The command line against the real broker: missing topics are refused in one line before
anything is sent (exit 5), an empty time range exits 6, and a backlog sent by
`generate --topic` never carries a created_at in the future (docs/cli.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer
from kafka.admin import NewTopic

from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

EXE = str(Path(sys.executable).with_name("dinarwatch"))


def run(
    args: list[str], bootstrap: str, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DINARWATCH_")}
    env |= {"DINARWATCH_KAFKA_BOOTSTRAP": bootstrap, **extra}
    return subprocess.run(
        [EXE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )


def topic_names(admin: Any) -> set[str]:
    return set(admin.list_topics())


def make_topic(admin: Any, name: str) -> str:
    admin.create_topics([NewTopic(name=name, num_partitions=2, replication_factor=1)])
    return name


def one_line(done: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("kafka error:")]
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_replay_of_a_topic_that_does_not_exist(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> None:
    topic = unique_topic_prefix("nosuch") + "payments"
    done = run(["replay", "--topic", topic, "--no-progress"], kafka_bootstrap, tmp_path)
    one_line(done, 5, f"topic {topic} does not exist", "dinarwatch topics create")
    assert topic not in topic_names(kafka_admin)


def test_generate_to_a_topic_that_does_not_exist_creates_nothing(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> None:
    topic = unique_topic_prefix("nosuch") + "payments.raw"
    done = run(["generate", "--count", "10", "--topic", topic], kafka_bootstrap, tmp_path)
    one_line(done, 5, f"topic {topic} does not exist")
    assert topic not in topic_names(kafka_admin)  # no auto-created topic left behind


def test_lists_publish_to_a_missing_topic_refuses_before_sending(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> None:
    prefix = unique_topic_prefix("lists")
    done = run(
        ["lists", "publish", "--current"], kafka_bootstrap, tmp_path, DINARWATCH_TOPIC_PREFIX=prefix
    )
    one_line(done, 5, f"topic {prefix}watchlists does not exist")
    assert "sending" not in done.stdout and "published" not in done.stdout
    assert f"{prefix}watchlists" not in topic_names(kafka_admin)


def test_replay_of_an_empty_time_range_exits_6(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> None:
    topic = make_topic(kafka_admin, unique_topic_prefix("range") + "payments")
    sent = run(["generate", "--count", "20", "--topic", topic], kafka_bootstrap, tmp_path)
    assert sent.returncode == 0, sent.stderr
    done = run(
        ["replay", "--topic", topic, "--from", "2099-01-01", "--no-progress"],
        kafka_bootstrap,
        tmp_path,
    )
    assert done.returncode == 6, done.stdout + done.stderr
    assert f"no record in topic {topic} between 2099-01-01" in done.stderr
    whole = run(["replay", "--topic", topic, "--no-progress"], kafka_bootstrap, tmp_path)
    assert whole.returncode == 0, whole.stderr


def test_a_backlog_generated_to_a_topic_ends_at_or_before_now(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> None:
    """2,000 payments 500 ms apart span 16 minutes: starting them at now (as before) put the
    last ones 16 minutes in the future."""
    topic = make_topic(kafka_admin, unique_topic_prefix("backlog") + "payments.raw")
    before = datetime.now(UTC)
    done = run(["generate", "--count", "2000", "--topic", topic], kafka_bootstrap, tmp_path)
    after = datetime.now(UTC)
    assert done.returncode == 0, done.stderr
    summary = [line for line in done.stderr.splitlines() if line.startswith("generated ")]
    assert summary and f"generated 2,000 record(s) to topic {topic}" in summary[0]
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=10_000,
    )
    try:
        times = [
            datetime.fromisoformat(orjson.loads(record.value)["created_at"]) for record in consumer
        ]
    finally:
        consumer.close()
    assert len(times) == 2000
    assert max(times) <= after
    # the backlog ends now (to the second), not at some arbitrary past time
    assert max(times) >= before.replace(microsecond=0)
