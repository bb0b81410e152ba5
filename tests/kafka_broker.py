"""pytest plugin: a real Kafka broker for integration tests.

Register it in tests/conftest.py with::

    pytest_plugins = ["tests.kafka_broker"]

Fixtures / helpers
------------------
``kafka_bootstrap`` (session)
    "host:port" of a broker that answers Metadata requests.  If one already answers on
    ``DINARWATCH_KAFKA_BOOTSTRAP`` (default 127.0.0.1:9092, e.g. a demo broker started
    with ``deploy/kafka/kafka-local.sh start``) it is reused.  Otherwise a private broker
    is started with ``deploy/kafka/kafka-local.sh start --fresh`` on
    ``DINARWATCH_TEST_KAFKA_PORT`` (default 19092; +10 per pytest-xdist worker) with its
    own state dir ``<repo>/.kafka-local/test-<port>`` and stopped at session end -- only
    if this session started it.
``kafka_admin`` (session)
    a kafka-python ``KafkaAdminClient`` connected to ``kafka_bootstrap``.
``unique_topic_prefix()``
    a fresh "t-<hex>-" prefix; build topic / group names from it to isolate tests.

A test that asks for ``kafka_bootstrap`` or ``kafka_admin`` is marked ``integration`` by
tests/conftest.py, wherever it lives, so the fast tier (``make test-fast``) never needs a broker.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
KAFKA_SCRIPT = REPO_ROOT / "deploy" / "kafka" / "kafka-local.sh"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_TEST_PORT = 19092


def unique_topic_prefix(tag: str = "t") -> str:
    """Return a unique prefix such as ``"t-3f9a1c2b7d-"`` for topic and group names."""
    return f"{tag}-{uuid.uuid4().hex[:10]}-"


def _split(bootstrap: str) -> tuple[str, int]:
    first = bootstrap.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    return (host or "127.0.0.1").strip("[]"), int(port)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


def broker_answers(bootstrap: str, timeout: float = 3.0) -> bool:
    """True if ``bootstrap`` answers a real Kafka Metadata (v8) request listing >= 1 broker.

    Dependency-free (raw socket), so it is cheap to call when nothing is listening.
    """
    try:
        host, port = _split(bootstrap)
        client_id = b"dinarwatch-tests"
        body = (
            struct.pack(">hhih", 3, 8, 0x2A, len(client_id))  # Metadata v8 header
            + client_id
            + struct.pack(">i", 0)  # topics: [] (brokers only)
            + b"\x00\x00\x00"  # allow_auto_topic_creation, include_*_authorized_operations
        )
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(body)) + body)
            (size,) = struct.unpack(">i", _recv_exact(sock, 4))
            if not 12 <= size <= 1 << 20:
                return False
            resp = _recv_exact(sock, size)
        correlation_id, _throttle, n_brokers = struct.unpack(">iii", resp[:12])
        return bool(correlation_id == 0x2A and n_brokers >= 1)
    except (OSError, ValueError, struct.error):
        return False


def _xdist_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def _run_script(
    action: str, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(KAFKA_SCRIPT), *action.split()],
        env=env,
        cwd=str(REPO_ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    configured = os.environ.get("DINARWATCH_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    if broker_answers(configured):
        yield configured
        return

    base_port = int(os.environ.get("DINARWATCH_TEST_KAFKA_PORT", DEFAULT_TEST_PORT))
    port = base_port + 10 * _xdist_index()
    bootstrap = f"127.0.0.1:{port}"
    if broker_answers(bootstrap):  # a test broker left running / shared: reuse, don't stop
        yield bootstrap
        return

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip(f"no Kafka broker on {configured} and no java to start one")

    env = dict(os.environ)
    env.update(
        KAFKA_PORT=str(port),
        KAFKA_CONTROLLER_PORT=str(port + 1),
        KAFKA_HOME_DIR=os.environ.get(
            "DINARWATCH_TEST_KAFKA_DIR", str(REPO_ROOT / ".kafka-local" / f"test-{port}")
        ),
    )
    env.pop("KAFKA_FRESH", None)
    try:
        started = _run_script("start --fresh", env, timeout=900)  # first run may fetch jars
    except subprocess.TimeoutExpired as exc:
        _run_script("stop", env, timeout=60)
        pytest.fail(f"kafka-local.sh start timed out:\n{exc.output or ''}", pytrace=False)
    if started.returncode != 0 or not broker_answers(bootstrap):
        _run_script("stop", env, timeout=60)
        pytest.fail(
            f"could not start a test Kafka broker on {bootstrap} "
            f"(rc={started.returncode}):\n{started.stdout}",
            pytrace=False,
        )
    try:
        yield bootstrap
    finally:
        stopped = _run_script("stop", env, timeout=60)
        if stopped.returncode != 0:
            print(f"\nkafka-local.sh stop failed:\n{stopped.stdout}")


@pytest.fixture(scope="session")
def kafka_admin(kafka_bootstrap: str) -> Iterator[Any]:
    from kafka import KafkaAdminClient  # kafka-python; imported lazily

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="dinarwatch-tests")
    try:
        yield admin
    finally:
        admin.close()
