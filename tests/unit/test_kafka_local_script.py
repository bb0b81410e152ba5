"""deploy/kafka/kafka-local.sh without a JVM: cluster ids, port settings and busy ports.

The broker once failed to start about once in 64 tries: the random cluster id began with '-'
and `kafka-storage format` took it for an option. These tests call the script's own
generator (`cluster-id N`, the function `start` uses) and its start-up port checks, which run
before Java or the jars are needed, so they belong to the fast tier (bash only).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "kafka" / "kafka-local.sh"
CLUSTER_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{20}[AQgw]")  # 128 bits, 4 zero pad bits
RESERVED = {"AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAQ"}  # Kafka's zero and metadata ids
PORT_BUSY = 4

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_five_thousand_cluster_ids_are_all_valid_kafka_ids() -> None:
    done = script("cluster-id", "5000")
    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()
    assert len(ids) == 5000
    for cid in ids:
        assert CLUSTER_ID.fullmatch(cid), cid
        assert not cid.startswith("-"), cid
        assert cid not in RESERVED
        raw = base64.urlsafe_b64decode(cid + "==")
        assert len(raw) == 16, cid
        assert base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == cid
    assert len(set(ids)) == 5000  # random, not a fixed value
    # '-' is about 1 in 64 first characters of random ids: the generator meets it and draws
    # again; every other first character still occurs
    assert len({cid[0] for cid in ids}) == 63


def test_cluster_id_count_must_be_a_positive_number() -> None:
    done = script("cluster-id", "many")
    assert done.returncode == 2
    assert "positive number" in done.stderr


@pytest.fixture
def listener() -> Iterator[int]:
    """A port held by a program that is not Kafka: it accepts and hangs up at once."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)  # so the thread sees `stop` soon after the test
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()


def broker_env(tmp_path: Path, **ports: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env["KAFKA_HOME_DIR"] = str(tmp_path / "kafka")
    env["JAVA"] = str(tmp_path / "no-java")  # the port check must come before any JVM
    env.update({name: str(port) for name, port in ports.items()})
    return env


def test_busy_controller_port_is_named_with_its_setting(tmp_path: Path, listener: int) -> None:
    env = broker_env(tmp_path, KAFKA_PORT=free_port(), KAFKA_CONTROLLER_PORT=listener)
    done = script("start", env=env)
    assert done.returncode == PORT_BUSY, done.stdout + done.stderr
    assert f"port {listener} (KAFKA_CONTROLLER_PORT" in done.stderr
    assert "KAFKA_CONTROLLER_PORT=<free port>" in done.stderr
    assert not (tmp_path / "kafka" / "kafka.pid").exists()


def test_controller_port_defaults_to_the_next_port_and_says_so(tmp_path: Path) -> None:
    """With only KAFKA_PORT set, the controller takes KAFKA_PORT+1; if that is busy, the
    message says where the number came from."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        busy = int(held.getsockname()[1])
        with socket.socket() as probe:
            if busy - 1 < 1024 or probe.connect_ex(("127.0.0.1", busy - 1)) == 0:
                pytest.skip(f"port {busy - 1} is not free for the client port")
        done = script("start", env=broker_env(tmp_path, KAFKA_PORT=busy - 1))
    assert done.returncode == PORT_BUSY, done.stdout + done.stderr
    assert f"port {busy} (KAFKA_CONTROLLER_PORT, the KRaft controller port, default " in done.stderr
    assert "KAFKA_PORT+1" in done.stderr


def test_busy_client_port_is_named_with_its_setting(tmp_path: Path, listener: int) -> None:
    env = broker_env(tmp_path, KAFKA_PORT=listener, KAFKA_CONTROLLER_PORT=free_port())
    done = script("start", env=env)
    assert done.returncode == PORT_BUSY, done.stdout + done.stderr
    assert f"port {listener} (KAFKA_PORT, the client port; not a Kafka broker)" in done.stderr


@pytest.mark.parametrize(
    ("ports", "message"),
    [
        ({"KAFKA_PORT": "abc"}, "KAFKA_PORT='abc' is not a port number"),
        ({"KAFKA_PORT": "19300", "KAFKA_CONTROLLER_PORT": "70000"}, "not a port number"),
        ({"KAFKA_PORT": "19300", "KAFKA_CONTROLLER_PORT": "19300"}, "are both 19300"),
    ],
)
def test_bad_port_settings_are_refused(tmp_path: Path, ports: dict[str, str], message: str) -> None:
    env = broker_env(tmp_path)
    env.update(ports)
    done = script("start", env=env)
    assert done.returncode == 2
    assert message in done.stderr
