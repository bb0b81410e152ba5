"""Delta re-screening on the real broker: a list published to a running worker finds last
week's payments to a newly barred bank, raises one retro alert per such payment within a
minute, none for payments that already alerted, and none again on a second delta or a restart.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
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
from streams.rescreen_store import probe_header
from tests.integration.pipeline import REPO, metric_value, pipeline_settings, read_to_end
from tests.integration.test_hot_reload import HotReloadWorker, decision_of, publish_cli
from tests.kafka_broker import unique_topic_prefix

pytestmark = pytest.mark.integration

BANK = {"bic": "SHTRIQBA", "name": "Shatt Riverside Commercial Bank", "country": "IQ"}
OTHER = {"bic": "RAFBIQBA", "name": "Rafidain Bank", "country": "IQ"}
RETRO_DEADLINE_S = 60.0


def cbi_list(path: Path, listed: date, aliases: tuple[str, ...] = ()) -> str:
    """The built-in CBI list plus a batch barring BANK from `listed`; returns its version."""
    doc = yaml.safe_load((REPO / "rules" / "data" / "cbi_usd_ban.yaml").read_text("utf-8"))
    doc["updated"] = listed.isoformat()
    doc["batches"].append(
        {
            "batch": "T-rescreen-test",
            "listed_from": listed.isoformat(),
            "date_confidence": "high (test fixture)",
            "legal_source": "test circular barring a fictional bank",
            "sources": ["https://example.invalid/test"],
            "entries": [
                {"id": "cbi-t-shatt", "names": [BANK["name"], *aliases], "bics": [BANK["bic"]]}
            ],
        }
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return parse_cbi_usd_ban(path.read_text("utf-8")).version


def send(
    producer: KafkaProducer, settings: Settings, pid: str, bank: dict[str, str], days: int
) -> None:
    made = datetime.now(UTC) - timedelta(days=days)
    doc = clean_payment(random.Random(pid), pid, made, usd_share=1.0)
    doc.update(currency="USD", debtor_agent=dict(bank), value_date=made.date().isoformat())
    producer.send(
        settings.topic(names.RAW),
        key=pid.encode(),
        value=orjson.dumps(doc),
        headers=[("content-type", b"application/json")],
    ).get(timeout=30)


def retro_alerts(settings: Settings) -> list[dict[str, Any]]:
    records = read_to_end(settings.kafka_bootstrap, settings.topic(names.ALERTS))
    found = [orjson.loads(r.value) for r in records]
    return [a for a in found if a.get("retro")]


def wait_for_retro(settings: Settings, count: int, worker: HotReloadWorker) -> list[dict[str, Any]]:
    deadline = time.monotonic() + RETRO_DEADLINE_S
    while time.monotonic() < deadline:
        found = retro_alerts(settings)
        if len(found) >= count:
            return found
        time.sleep(1)
    raise AssertionError(
        f"{len(retro_alerts(settings))} retro alert(s), wanted {count}:\n{worker.log_tail()}"
    )


def test_published_delta_raises_one_retro_alert_per_past_payment(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("rescreen"), tmp_path)
    create_topics(settings)
    today = datetime.now(UTC).date()
    first, second = tmp_path / "cbi_v2.yaml", tmp_path / "cbi_v3.yaml"
    v2 = cbi_list(first, today)
    v3 = cbi_list(second, today, aliases=("Shatt Riverside Bank",))
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    worker = HotReloadWorker(settings, tmp_path / "worker.log").start()
    try:
        for i, days in enumerate((8, 6, 5)):
            send(producer, settings, f"RS-{i}", BANK, days)
        send(producer, settings, "RS-CLEAN", OTHER, 6)
        for pid in ("RS-0", "RS-1", "RS-2", "RS-CLEAN"):
            assert decision_of(settings, pid)["decision"] == "pass"

        publish_cli(settings, str(first))
        raised = wait_for_retro(settings, 3, worker)
        assert sorted(a["payment"]["payment_id"] for a in raised) == ["RS-0", "RS-1", "RS-2"]
        for alert in raised:
            assert alert["rule"] == "CBI-USD-BAN" and alert["action"] == "block"
            origin = alert["retro"]
            assert origin["list_version"] == v2 and origin["listed_from"] == today.isoformat()
            assert origin["original_decision"] == "pass"
            assert alert["findings"][0]["entry_id"] == "cbi-t-shatt"
            assert alert["findings"][0]["retro"] is True

        # Value-dated today and screened live under v2: blocked and alerted at once, so it
        # never gets a retro alert.
        send(producer, settings, "RS-LIVE", BANK, 0)
        assert decision_of(settings, "RS-LIVE")["decision"] == "block"
        # v3 changes the entry (a new alias): its delta holds it again, nothing new is raised.
        publish_cli(settings, str(second))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "against cbi-usd-ban " + v3 not in (
            tmp_path / "worker.log"
        ).read_text("utf-8", "replace"):
            time.sleep(0.5)
        time.sleep(3)
        assert len(retro_alerts(settings)) == 3, worker.log_tail()
        # Every stored record, the ones updated with a retro alert included, carries the probe
        # form the re-screen reads instead of decoding the payment.
        stored = read_to_end(settings.kafka_bootstrap, settings.topic(names.SCREENED))
        assert len(stored) >= 8 and all(probe_header(r.headers) for r in stored)
        metrics = worker.metrics()
        assert (
            metric_value(
                metrics,
                "dinarwatch_retro_alerts_total",
                {"list": "cbi-usd-ban", "rule": "CBI-USD-BAN"},
            )
            == 3
        )
        assert (
            metric_value(
                metrics, "dinarwatch_rescreen_payments_scanned_total", {"list": "cbi-usd-ban"}
            )
            >= 9
        )
    finally:
        worker.stop()

    restarted = HotReloadWorker(settings, tmp_path / "worker2.log").start()
    try:
        send(producer, settings, "RS-AFTER", OTHER, 1)
        decision_of(settings, "RS-AFTER")
        time.sleep(5)
        assert len(retro_alerts(settings)) == 3, restarted.log_tail()
    finally:
        restarted.stop()
        producer.close()
