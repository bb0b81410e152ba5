"""Hot reload on the real broker: `dinarwatch lists publish` changes a running worker's decisions.

One worker, never restarted while the list changes: a payment through a bank on no list passes;
a CBI list with that bank added is published; within seconds a new payment through the bank is
blocked citing the new list version. A malformed watchlists record is counted, not fatal. A
restarted worker starts with the published version (it reads the topic before screening).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from kafka import KafkaProducer

from generator.traffic import clean_payment
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from rules.lists.cbi import parse_cbi_usd_ban
from tests.integration.pipeline import (
    REPO,
    WorkerProcess,
    metric_value,
    pipeline_settings,
    read_topic,
    settings_env,
)
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

BANK = {"bic": "TGVBIQBA", "name": "Tigris Valley Commercial Bank", "country": "IQ"}
RELOAD_DEADLINE_S = 10.0


class HotReloadWorker(WorkerProcess):
    """The real worker process, with a look at the list versions it serves on /health."""

    def list_version(self, name: str) -> str | None:
        with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
            return json.loads(response.read())["lists"].get(name)


def payment_through_bank(payment_id: str, seed: int) -> bytes:
    doc = clean_payment(random.Random(seed), payment_id, datetime.now(UTC), usd_share=1.0)
    doc.update(currency="USD", debtor_agent=dict(BANK))
    return orjson.dumps(doc)


def send_payment(producer: KafkaProducer, settings: Settings, payment_id: str, seed: int) -> None:
    producer.send(
        settings.topic(names.RAW),
        key=payment_id.encode(),
        value=payment_through_bank(payment_id, seed),
        headers=[("content-type", b"application/json")],
    ).get(timeout=30)


def decision_of(settings: Settings, payment_id: str, timeout: float = 30) -> dict[str, Any]:
    records = read_topic(
        settings.kafka_bootstrap,
        settings.topic(names.DECISIONS),
        lambda rs: any(r.key == payment_id.encode() for r in rs),
        timeout=timeout,
    )
    found = [orjson.loads(r.value) for r in records if r.key == payment_id.encode()]
    assert found, f"no decision for {payment_id}"
    return found[-1]


def cbi_list_with_bank(path: Path) -> str:
    """A copy of the built-in CBI file with one more batch that bars BANK; returns its version."""
    text = (REPO / "rules" / "data" / "cbi_usd_ban.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    doc["updated"] = "2025-03-01"
    doc["batches"].append(
        {
            "batch": "T-hot-reload-test",
            "listed_from": "2025-03-01",
            "date_confidence": "high (test fixture)",
            "legal_source": "test circular barring a fictional bank",
            "sources": ["https://example.invalid/test"],
            "entries": [{"id": "cbi-t-tigris", "names": [BANK["name"]], "bics": [BANK["bic"]]}],
        }
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return parse_cbi_usd_ban(path.read_text("utf-8")).version


def publish_cli(settings: Settings, *args: str) -> None:
    exe = Path(sys.executable).with_name("dinarwatch")
    done = subprocess.run(
        [str(exe), "lists", "publish", *args],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def publish_garbage(settings: Settings) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    producer.send(settings.topic(names.WATCHLISTS), key=b"bogus-list", value=b"\x1f\x8bnot gzip")
    producer.flush()
    producer.close()


def wait_for_version(worker: HotReloadWorker, name: str, version: str, deadline: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if worker.list_version(name) == version:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{name} not at {version} after {deadline}s:\n{worker.log_tail()}")


def test_publish_changes_running_worker(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("hot"), tmp_path)
    create_topics(settings)
    modified = tmp_path / "cbi_usd_ban.yaml"
    new_version = cbi_list_with_bank(modified)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    worker = HotReloadWorker(settings, tmp_path / "worker.log").start()
    try:
        pid = worker.proc.pid if worker.proc else None
        old_version = worker.list_version("cbi-usd-ban")
        assert old_version != new_version
        send_payment(producer, settings, "HOT-1", 1)
        assert decision_of(settings, "HOT-1")["decision"] == "pass"

        publish_garbage(settings)
        published_at = time.monotonic()
        publish_cli(settings, str(modified))
        wait_for_version(worker, "cbi-usd-ban", new_version, RELOAD_DEADLINE_S)
        send_payment(producer, settings, "HOT-2", 2)
        blocked = decision_of(settings, "HOT-2")
        reaction = time.monotonic() - published_at

        assert blocked["decision"] == "block", blocked
        finding = next(f for f in blocked["findings"] if f["rule"] == "CBI-USD-BAN")
        assert finding["entry_id"] == "cbi-t-tigris"
        assert finding["list_version"] == new_version
        assert reaction < RELOAD_DEADLINE_S + 5, reaction
        assert worker.proc is not None and worker.proc.poll() is None and worker.proc.pid == pid
        metrics = worker.metrics()
        assert metric_value(metrics, "dinarwatch_watchlist_records_total", {"outcome": "applied"})
        assert metric_value(metrics, "dinarwatch_watchlist_records_total", {"outcome": "malformed"})
    finally:
        worker.stop()

    restarted = HotReloadWorker(settings, tmp_path / "worker2.log").start()
    try:
        assert restarted.list_version("cbi-usd-ban") == new_version
        send_payment(producer, settings, "HOT-3", 3)
        again = decision_of(settings, "HOT-3")
        assert again["decision"] == "block"
        assert again["list_versions"]["cbi-usd-ban"] == new_version
    finally:
        restarted.stop()
        producer.close()
