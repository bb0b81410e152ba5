"""Web and metrics endpoints listen on 127.0.0.1 unless configured otherwise (#9).

The real worker and notifier processes are started with no bind setting in their environment,
and the kernel's table of listening sockets (/proc/net/tcp, tcp6) is read for their ports: a
process bound to 0.0.0.0 or :: would show there, whatever the process says about itself.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from infra.admin import create_topics
from tests.integration.alerting_support import HttpReceiver, start_notifier
from tests.integration.pipeline import WorkerProcess, pipeline_settings
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

LISTEN = "0A"


def _decode(hex_addr: str) -> str:
    """An address as /proc/net/tcp{,6} writes it (little-endian 32-bit words) to text."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def listening_hosts(port: int) -> set[str]:
    """Every local address with a socket listening on `port`, from the kernel's tables."""
    hosts: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            addr, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                hosts.add(_decode(addr))
    return hosts


def test_decode_reads_kernel_byte_order() -> None:
    assert _decode("0100007F") == "127.0.0.1"
    assert _decode("00000000") == "0.0.0.0"
    assert _decode("00000000000000000000000001000000") == "::1"


def test_worker_web_and_metrics_bind_loopback_by_default(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("bind"), tmp_path)
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log", drop_env=("DINARWATCH_WEB_BIND",))
    worker.start()
    try:
        assert "# HELP" in worker.metrics()  # the port listening is the worker's /metrics
        assert listening_hosts(settings.web_port) == {"127.0.0.1"}
    finally:
        worker.stop()


def test_notifier_metrics_bind_loopback_by_default(tmp_path: Path, kafka_bootstrap: str) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("bindn"), tmp_path)
    create_topics(settings)
    receiver = HttpReceiver().start()
    notifier, port = start_notifier(settings, tmp_path, webhook_url=receiver.url + "/hook")
    try:
        assert listening_hosts(port) == {"127.0.0.1"}
    finally:
        notifier.stop()
        receiver.stop()
