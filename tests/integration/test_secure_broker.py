"""Kafka security settings against a real broker that only speaks TLS (tests/secure_broker.py).

No mocks: every client below is the real kafka-python / aiokafka / Faust client configured only
through Settings (infra/kafka_clients.py), and the worker is the real `dinarwatch worker`
process configured only through DINARWATCH_* environment variables.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import NewTopic

from generator.publish import make_producer, publish
from generator.traffic import TrafficSpec, generate
from infra import topics as names
from infra.admin import admin_client
from infra.kafka_clients import aiokafka_security, faust_broker_options, kafka_python_security
from infra.settings import Settings
from tests.integration.pipeline import WorkerProcess, pipeline_settings, settings_env
from tests.kafka_broker import unique_topic_prefix
from tests.secure_broker import SecureBroker, missing_tools, start_secure_broker

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)
PAYMENTS = 300


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"the secure test broker needs {', '.join(missing)}")
    with start_secure_broker(tmp_path_factory.mktemp("secure-broker")) as broker:
        yield broker


def read_secure(
    settings: Settings, topic: str, done: Callable[[list[Any]], bool], timeout: float
) -> list[Any]:
    """read_topic (tests/integration/pipeline.py) through the settings' security options."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
        **kafka_python_security(settings),
    )
    try:
        deadline = time.monotonic() + timeout
        while not consumer.partitions_for_topic(topic):
            if time.monotonic() > deadline:
                return []
            time.sleep(0.2)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        while time.monotonic() < deadline and not done(records):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def worker_settings(broker: SecureBroker, tmp_path: Path, tag: str) -> Settings:
    security = broker.sasl_settings("SCRAM-SHA-512")
    security.pop("kafka_bootstrap")
    return pipeline_settings(
        broker.sasl_ssl_bootstrap, unique_topic_prefix(tag), tmp_path, **security
    )


def dinarwatch(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("dinarwatch")
    return subprocess.run(
        [str(exe), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )


def test_worker_screens_over_sasl_ssl(secure_broker: SecureBroker, tmp_path: Path) -> None:
    settings = worker_settings(secure_broker, tmp_path, "sasl")
    assert settings.kafka_sasl_password is not None
    password = settings.kafka_sasl_password.get_secret_value()
    env = settings_env(settings)
    assert not [k for k, v in env.items() if password in v]  # SecretStr is never dumped

    # topics: the CLI, with the password from a file (a mounted secret ends with a newline)
    secret_file = tmp_path / "kafka-password"
    secret_file.write_text(password + "\n")
    secret_file.chmod(0o600)
    created = dinarwatch(
        ["topics", "create"], {**env, "DINARWATCH_KAFKA_SASL_PASSWORD_FILE": str(secret_file)}
    )
    assert created.returncode == 0, created.stdout
    assert f"created {settings.topic(names.RAW)}" in created.stdout
    assert password not in created.stdout

    # the worker: the password from the environment
    log = tmp_path / "worker.log"
    worker = WorkerProcess(settings, log, extra_env={"DINARWATCH_KAFKA_SASL_PASSWORD": password})
    try:
        worker.start(timeout=90)
        records = list(
            generate(TrafficSpec(count=PAYMENTS, seed=31, start=START, violation_rate=0.1))
        )
        producer = make_producer(settings)
        try:
            publish(records, producer, settings.topic(names.RAW), rate=0)
        finally:
            producer.close()
        decisions = read_secure(
            settings,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= PAYMENTS,
            timeout=90,
        )
    finally:
        worker.stop()

    expected = {r.label["payment_id"]: r.label["expected_decision"] for r in records}
    by_id = {r.key.decode(): orjson.loads(r.value)["decision"] for r in decisions}
    assert by_id == expected, worker.log_tail()
    assert len(decisions) == PAYMENTS  # one decision per payment
    assert {"pass", "block"} <= set(by_id.values())

    text = log.read_text("utf-8", "replace")
    assert "watchlists caught up" in text  # kafka-python (catch-up) authenticated too
    assert "following " in text  # and aiokafka (the watchlists follower)
    assert password not in text
    assert "sasl_plain_password" not in text


def test_wrong_password_stops_the_worker_with_the_reason(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    settings = worker_settings(secure_broker, tmp_path, "badpw")
    wrong = "not-the-password-" + unique_topic_prefix("x")
    log = tmp_path / "worker.log"
    worker = WorkerProcess(settings, log, extra_env={"DINARWATCH_KAFKA_SASL_PASSWORD": wrong})
    started = time.monotonic()
    try:
        with pytest.raises(RuntimeError, match="worker exited early"):
            worker.start(timeout=120)
    finally:
        worker.stop(timeout=10)
    assert time.monotonic() - started < 120
    assert worker.proc is not None and worker.proc.returncode == 4  # docs/cli.md: broker error
    text = log.read_text("utf-8", "replace")
    last = [line for line in text.splitlines() if line.strip()][-1]
    # one line naming the user: the broker's reason when kafka-python logged it (it sometimes
    # sees only the broker hanging up after the refusal), never a bare bootstrap timeout
    assert last.startswith("kafka error: logging in to the broker:"), last
    assert f"user {settings.kafka_sasl_username}" in last and "refused" in last, last
    if "SaslAuthenticationFailed" in last:
        assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in last
    assert "unexpected error" not in text
    assert wrong not in text


@pytest.mark.parametrize("client", ["SCRAM-SHA-256", "PLAIN", "mTLS"])
def test_each_library_connects_with_each_mechanism(
    secure_broker: SecureBroker, client: str
) -> None:
    """Faust produces, kafka-python and aiokafka read back: all from the same Settings."""
    security = (
        secure_broker.mtls_settings() if client == "mTLS" else secure_broker.sasl_settings(client)
    )
    settings = Settings(**security)  # type: ignore[arg-type]
    topic = f"{unique_topic_prefix('mech')}probe"
    admin = admin_client(settings)
    try:
        admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        admin.close()

    async def faust_then_aiokafka() -> list[tuple[bytes, bytes]]:
        import faust
        from aiokafka import AIOKafkaConsumer

        app = faust.App(
            f"probe-{client}",
            broker=f"kafka://{settings.kafka_bootstrap}",
            autodiscover=False,
            web_enabled=False,
            **faust_broker_options(settings),
        )
        await app.producer.start()
        try:
            await app.producer.send_and_wait(topic, b"k", client.encode(), None, None, None)
        finally:
            await app.producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=settings.kafka_bootstrap,
            auto_offset_reset="earliest",
            **aiokafka_security(settings),
        )
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=30)
        finally:
            await consumer.stop()
        return [(record.key, record.value)]

    assert asyncio.run(faust_then_aiokafka()) == [(b"k", client.encode())]
    read = read_secure(settings, topic, lambda rs: len(rs) >= 1, timeout=30)
    assert [(r.key, r.value) for r in read] == [(b"k", client.encode())]


def _aiokafka_refused(settings: Settings) -> str:
    """Start an aiokafka consumer that must be refused; return what aiokafka logged."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.errors import KafkaConnectionError

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    async def attempt() -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap, **aiokafka_security(settings)
        )
        try:
            with pytest.raises(KafkaConnectionError):
                await asyncio.wait_for(consumer.start(), timeout=30)
        finally:
            await consumer.stop()

    handler = Collect()
    logger = logging.getLogger("aiokafka")
    logger.addHandler(handler)
    try:
        asyncio.run(attempt())
    finally:
        logger.removeHandler(handler)
    return "\n".join(messages)


def test_broker_refuses_what_it_should(secure_broker: SecureBroker) -> None:
    sasl = secure_broker.sasl_settings("SCRAM-SHA-512")

    # the broker's certificate is checked: the system CAs do not know the test CA
    untrusted = Settings(**{**sasl, "kafka_ssl_cafile": None})  # type: ignore[arg-type]
    assert "CERTIFICATE_VERIFY_FAILED" in _aiokafka_refused(untrusted)

    # a wrong password is refused, over every mechanism
    for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"):
        wrong = Settings(
            **{**secure_broker.sasl_settings(mechanism), "kafka_sasl_password": "wrong"}  # type: ignore[arg-type]
        )
        assert "SaslAuthenticationFailed" in _aiokafka_refused(wrong), mechanism

    # the mTLS listener wants a client certificate
    no_cert = Settings(
        kafka_bootstrap=secure_broker.mtls_bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=secure_broker.cafile,
    )
    assert "Unable connect" in _aiokafka_refused(no_cert)

    # and the SASL_SSL listener does not talk plaintext
    plaintext = Settings(kafka_bootstrap=secure_broker.sasl_ssl_bootstrap)
    assert "Unable connect" in _aiokafka_refused(plaintext)


def test_cli_with_a_wrong_password_says_so_in_one_line(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    """kafka-python sees a refused SCRAM login as the broker hanging up; the command line turns
    that into one line naming the user and what to check (docs/cli.md, exit 4)."""
    settings = worker_settings(secure_broker, tmp_path, "clipw")
    wrong = "not-the-password-" + unique_topic_prefix("x")
    env = {**settings_env(settings), "DINARWATCH_KAFKA_SASL_PASSWORD": wrong}
    done = dinarwatch(["topics", "check"], env)
    assert done.returncode == 4, done.stdout
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    # the broker's reason when kafka-python logged it, else "closed every connection"
    assert f"user {settings.kafka_sasl_username}" in lines[0] and "refused" in lines[0]
    assert "DINARWATCH_KAFKA_SASL_USERNAME" in lines[0]
    assert "Traceback" not in done.stdout and wrong not in done.stdout
