"""A private single-node Kafka broker that only talks TLS to clients, for the security tests.

``start_secure_broker(workdir)`` (a context manager) yields a ``SecureBroker`` with:

``sasl_ssl_bootstrap``
    listener SECURE, protocol SASL_SSL: TLS with the server certificate below, then SASL
    SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN. One user per mechanism (``users``): the SCRAM
    users are written into the metadata log at format time (``kafka-storage format
    --add-scram``), the PLAIN user lives in the listener's JAAS config.
``mtls_bootstrap``
    listener MTLS, protocol SSL with ``ssl.client.auth=required``: a client must present a
    certificate signed by the test CA (``client_certfile`` / ``client_keyfile``).
``cafile``
    the test CA (PEM) that signed the broker's certificate (SAN DNS:localhost, IP:127.0.0.1)
    and the client certificate; clients verify the broker against it, host name included.

The inter-broker listener (INTERNAL) and the KRaft controller listener are PLAINTEXT on
127.0.0.1 only and are used by no test client. The CA, certificates, PKCS12 keystore, data and
logs all live in ``workdir``; the broker is stopped (SIGTERM, then SIGKILL) on exit.

Needs java (17+), openssl and the Kafka jars that ``deploy/kafka/kafka-local.sh fetch``
caches (maven is used once to fetch them); the caller decides whether to skip without them
(``missing_tools()``). Ports: ``DINARWATCH_TEST_SECURE_KAFKA_PORT`` (default 19300, +10 per
pytest-xdist worker), four consecutive ports, the next free block of four if taken.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.kafka_broker import REPO_ROOT, broker_answers

KAFKA_SCRIPT = REPO_ROOT / "deploy" / "kafka" / "kafka-local.sh"
LOG4J_CONF = REPO_ROOT / "deploy" / "kafka" / "log4j2.properties"
DEFAULT_PORT = 19300
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class SecureBroker:
    sasl_ssl_bootstrap: str
    mtls_bootstrap: str
    cafile: Path
    client_certfile: Path
    client_keyfile: Path
    users: dict[str, tuple[str, str]] = field(repr=False)  # mechanism -> (user, password)
    workdir: Path

    def sasl_settings(self, mechanism: str = "SCRAM-SHA-512") -> dict[str, object]:
        """Settings keyword arguments for a SASL_SSL client of ``mechanism``'s user."""
        user, password = self.users[mechanism]
        return {
            "kafka_bootstrap": self.sasl_ssl_bootstrap,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": mechanism,
            "kafka_sasl_username": user,
            "kafka_sasl_password": password,
            "kafka_ssl_cafile": self.cafile,
        }

    def mtls_settings(self) -> dict[str, object]:
        """Settings keyword arguments for an SSL client presenting the test client certificate."""
        return {
            "kafka_bootstrap": self.mtls_bootstrap,
            "kafka_security_protocol": "SSL",
            "kafka_ssl_cafile": self.cafile,
            "kafka_ssl_certfile": self.client_certfile,
            "kafka_ssl_keyfile": self.client_keyfile,
        }

    def server_log(self) -> str:
        path = self.workdir / "logs" / "server.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""


def missing_tools() -> list[str]:
    """The tools this broker needs that are not on PATH."""
    java = os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java")
    missing = [] if (java and java.exists()) or shutil.which("java") else ["java"]
    return missing + [tool for tool in ("openssl", "bash") if shutil.which(tool) is None]


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return str(Path(home, "bin", "java"))
    return "java"


def _run(args: list[str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} {args[1]} failed ({done.returncode}):\n{done.stdout}")
    return done.stdout


def kafka_libs() -> Path:
    """The cached Kafka jars (fetched once by kafka-local.sh, which owns the version)."""
    out = _run(["bash", str(KAFKA_SCRIPT), "fetch"], REPO_ROOT, timeout=900)
    found = re.search(r"jars in (\S+)", out)
    if not found:
        raise RuntimeError(f"kafka-local.sh fetch did not say where the jars are:\n{out}")
    return Path(found.group(1))


# ------------------------------------------------------------------------------ certificates


def _ec_key_and_csr(d: Path, name: str, subject: str) -> None:
    _run(
        [
            "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject,
        ],
        d,
    )  # fmt: skip


def _sign(d: Path, name: str, extensions: str) -> None:
    (d / f"{name}.ext").write_text(extensions)
    _run(
        [
            "openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-sha256", "-extfile", f"{name}.ext",
            "-out", f"{name}.pem",
        ],
        d,
    )  # fmt: skip


def make_certificates(d: Path, keystore_password: str) -> None:
    """ca.pem, broker.p12 (key + chain, for the broker), client.pem + client.key (mTLS)."""
    _run(
        [
            "openssl", "req", "-x509", "-new", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2", "-sha256", "-subj", "/CN=dinarwatch test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ],
        d,
    )  # fmt: skip
    _ec_key_and_csr(d, "broker", "/CN=localhost")
    _sign(
        d,
        "broker",
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
        "keyUsage=critical,digitalSignature\n",
    )
    _run(
        [
            "openssl", "pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key",
            "-certfile", "ca.pem", "-name", "broker", "-out", "broker.p12",
            "-passout", f"pass:{keystore_password}",
        ],
        d,
    )  # fmt: skip
    _ec_key_and_csr(d, "client", "/CN=dinarwatch-mtls-client")
    _sign(d, "client", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
    for private in ("ca.key", "broker.key", "client.key"):
        (d / private).chmod(0o600)


# ------------------------------------------------------------------------------------ broker


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_block() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    base = int(os.environ.get("DINARWATCH_TEST_SECURE_KAFKA_PORT", DEFAULT_PORT)) + 10 * index
    for start in range(base, min(base + 2000, 32760), 100):
        if all(_port_free(p) for p in range(start, start + 4)):
            return start
    raise RuntimeError(f"no four free consecutive ports from {base}")


def _server_properties(d: Path, ports: dict[str, int], keystore_password: str, plain: str) -> str:
    plain_user, plain_password = plain.split(":", 1)
    listeners = ",".join(f"{name}://127.0.0.1:{port}" for name, port in ports.items())
    advertised = ",".join(
        f"{name}://127.0.0.1:{port}" for name, port in ports.items() if name != "CONTROLLER"
    )
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    return f"""# tests/secure_broker.py
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{ports["CONTROLLER"]}
controller.listener.names=CONTROLLER
listeners={listeners}
advertised.listeners={advertised}
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=SECURE:SASL_SSL,MTLS:SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={d / "data"}

listener.name.secure.sasl.enabled.mechanisms={",".join(MECHANISMS)}
listener.name.secure.scram-sha-512.sasl.jaas.config={scram}
listener.name.secure.scram-sha-256.sasl.jaas.config={scram}
listener.name.secure.plain.sasl.jaas.config=\
org.apache.kafka.common.security.plain.PlainLoginModule required \
user_{plain_user}="{plain_password}";
ssl.keystore.type=PKCS12
ssl.keystore.location={d / "broker.p12"}
ssl.keystore.password={keystore_password}
ssl.key.password={keystore_password}
ssl.truststore.type=PEM
ssl.truststore.location={d / "ca.pem"}
ssl.client.auth=none
listener.name.mtls.ssl.client.auth=required

num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
"""


def _cluster_id() -> str:
    """A Kafka Uuid (16 random bytes, base64url, unpadded) without starting a JVM for it."""
    while True:
        uid = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not uid.startswith("-"):
            return uid


def _jvm(libs: Path, logs: Path, *args: str, heap: str = "-Xmx256m") -> list[str]:
    return [
        _java(),
        *heap.split(),
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONF}",
        f"-Dkafka.logs.dir={logs}",
        "-cp",
        f"{libs}/*",
        *args,
    ]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def start_secure_broker(workdir: Path, timeout: float = 120) -> Iterator[SecureBroker]:
    """Make certificates and users, format, start; yield the broker; stop it."""
    workdir.mkdir(parents=True, exist_ok=True)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    libs = kafka_libs()
    keystore_password = secrets.token_hex(12)
    make_certificates(workdir, keystore_password)
    users = {m: (f"dw-{m.lower()}", secrets.token_urlsafe(18)) for m in MECHANISMS}
    start = _free_block()
    ports = {"SECURE": start, "MTLS": start + 1, "INTERNAL": start + 2, "CONTROLLER": start + 3}
    conf = workdir / "server.properties"
    conf.write_text(_server_properties(workdir, ports, keystore_password, ":".join(users["PLAIN"])))
    conf.chmod(0o600)
    scram = [
        arg
        for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256")
        for arg in (
            "--add-scram",
            f"{mechanism}=[name={users[mechanism][0]},password={users[mechanism][1]}]",
        )
    ]
    cluster_id = _cluster_id()
    _run(
        _jvm(
            libs,
            logs,
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(conf),
            *scram,
        ),
        workdir,
    )
    out = (logs / "kafka.out").open("ab")
    proc = subprocess.Popen(
        _jvm(libs, logs, "-XX:+UseG1GC", "kafka.Kafka", str(conf), heap="-Xms128m -Xmx512m"),
        cwd=workdir,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out.close()
    broker = SecureBroker(
        sasl_ssl_bootstrap=f"127.0.0.1:{ports['SECURE']}",
        mtls_bootstrap=f"127.0.0.1:{ports['MTLS']}",
        cafile=workdir / "ca.pem",
        client_certfile=workdir / "client.pem",
        client_keyfile=workdir / "client.key",
        users=users,
        workdir=workdir,
    )
    try:
        deadline = time.monotonic() + timeout
        internal = f"127.0.0.1:{ports['INTERNAL']}"
        while not (
            broker_answers(internal, timeout=1)
            and _port_open(ports["SECURE"])
            and _port_open(ports["MTLS"])
        ):
            if proc.poll() is not None:
                raise RuntimeError(f"secure broker exited ({proc.returncode}):\n{_tail(logs)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"secure broker not ready after {timeout}s:\n{_tail(logs)}")
            time.sleep(0.3)
        yield broker
    finally:
        _stop(proc)


def _tail(logs: Path, lines: int = 40) -> str:
    parts = []
    for name in ("kafka.out", "server.log"):
        path = logs / name
        if path.exists():
            text = path.read_text("utf-8", "replace").splitlines()[-lines:]
            parts.append(f"----- {path} -----\n" + "\n".join(text))
    return "\n".join(parts)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
