"""DINARWATCH_TOPIC_PREFIX isolates deployments, and nothing relies on broker auto-creation.

Issue 13: with a prefix, Faust's own topics (the window table's changelog, the assignor's
leader topic) and consumer group ignored it, and `generate --topic payments.raw` wrote to an
unprefixed topic the broker auto-created. The shared test broker has auto.create.topics.enable
=true (deploy/kafka/kafka-local.sh), as many brokers do, so each test here would fail if a
client still asked it to create a topic.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import aiokafka.client
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import UnknownTopicOrPartitionError
from kafka import KafkaAdminClient

from infra import topics as names
from infra.admin import create_topics
from infra.errors import EXIT_TOPIC
from infra.settings import Settings
from streams.faust_fixes import forbid_topic_auto_creation
from tests.integration.pipeline import WorkerProcess, free_port, read_topic, settings_env
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

EXE = str(Path(sys.executable).with_name("dinarwatch"))


def _topics(bootstrap: str) -> set[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def _settings(bootstrap: str, tmp: Path) -> Settings:
    """A prefix and an app id that does not carry it (as an operator would set them)."""
    return Settings(
        kafka_bootstrap=bootstrap,
        topic_prefix=unique_topic_prefix("pfx"),
        app_id=f"app{uuid.uuid4().hex[:8]}",
        web_port=free_port(),
        data_dir=tmp / "worker-data",
    )


def _cli(args: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=settings_env(settings), capture_output=True, text=True, timeout=180
    )


def test_prefix_covers_faust_topics_and_generate(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = _settings(kafka_bootstrap, tmp_path)
    prefix, app_id = settings.topic_prefix, settings.app_id
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        sent = _cli(["generate", "--count", "60", "--topic", names.RAW, "--seed", "5"], settings)
        assert sent.returncode == 0, sent.stderr
        assert f"topic {prefix}{names.RAW}" in sent.stderr  # the summary names where it went
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= 60,
            120,
        )
    finally:
        worker.stop()
    assert len({r.key for r in decisions}) == 60, worker.log_tail()

    topics = _topics(kafka_bootstrap)
    faust_own = {f"{app_id}-{names.WINDOW_TABLE}-changelog", f"{app_id}-__assignor-__leader"}
    assert {prefix + t for t in faust_own} <= topics
    assert not faust_own & topics  # nothing under the bare app id
    # everything this deployment made carries the prefix: no stray topic named after it
    assert not {t for t in topics if app_id in t and not t.startswith(prefix)}


def test_generate_to_a_missing_topic_refuses(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = _settings(kafka_bootstrap, tmp_path)  # no topics created
    result = _cli(["generate", "--count", "5", "--topic", names.RAW], settings)
    assert result.returncode == EXIT_TOPIC, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and settings.topic(names.RAW) in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert settings.topic(names.RAW) not in _topics(kafka_bootstrap)


def test_worker_without_topics_refuses_and_creates_none(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    settings = _settings(kafka_bootstrap, tmp_path)
    result = _cli(["worker"], settings)
    assert result.returncode == EXIT_TOPIC, result.stdout + result.stderr
    assert "dinarwatch topics create" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not {t for t in _topics(kafka_bootstrap) if t.startswith(settings.topic_prefix)}


def test_aiokafka_clients_do_not_auto_create(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's Faust clients are aiokafka's, which always asked for auto-creation."""
    monkeypatch.setattr(aiokafka.client, "MetadataRequest", aiokafka.client.MetadataRequest)
    forbid_topic_auto_creation()  # undone by monkeypatch after the test
    topic = f"{unique_topic_prefix('noauto')}payments.raw"

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, request_timeout_ms=4000)
        await producer.start()
        try:
            with pytest.raises(UnknownTopicOrPartitionError):
                await producer.send_and_wait(topic, b"payment")
        finally:
            await producer.stop()

    asyncio.run(send())
    assert topic not in _topics(kafka_bootstrap)
