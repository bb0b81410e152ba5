"""Alerts reach people: real broker, worker, notifier, Prometheus and Alertmanager.

Only Slack/Teams are faked (a local HTTP receiver); SMTP is a real aiosmtpd server (one for the
notifier, one for Alertmanager). Alertmanager runs the shipped config (deploy/alertmanager),
only its URLs and waits changed. The tests share one stack (module fixture) and run in file
order, each adding its own traffic:
  0. a single first-ever block (a pacs.008 payment, the worker's first block) fires
     DinarwatchPaymentsBlocked; then more critical alerts than any limit (the notifier's batch
     and per-message limits, a typical webhook max_alerts of 50) each reach the webhook, through
     the notifier and through Alertmanager, itemised; and no path on the worker's or the
     notifier's port but /metrics and /health answers
  1. planted violations -> notifier -> webhook (grouped), Alertmanager -> webhook, e-mail
  2. a Prometheus rule fires on the worker's real metrics and reaches the webhook via AM
  3. the receiver is down for OUTAGE_SECONDS (25 s, not minutes, to keep the file quick; the
     notifier is configured with short retry/park delays so the outage spans several
     park-and-retry cycles), then up: every alert delivered exactly once
  4. every PromQL expression in the dashboards and rule files evaluates against this
     Prometheus, and refers only to metrics the worker/notifier really export (this one sends
     traffic of its own, so it also passes alone)
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from desk.metrics import DeskMetrics
from generator.publish import make_producer, publish
from generator.renderers import renderers
from generator.traffic import (
    JSON_CONTENT_TYPE,
    GeneratedRecord,
    TrafficSpec,
    clean_payment,
    generate,
)
from infra import topics as names
from infra.admin import create_topics
from infra.settings import Settings
from schemas.alert import Alert
from tests.integration.alerting_support import (
    HttpReceiver,
    Service,
    SmtpSink,
    WiredWorker,
    port_leaks,
    probe_paths,
    prom_api,
    start_alertmanager,
    start_notifier,
    start_prometheus,
    wait_for,
    worker_routes,
)
from tests.integration.pipeline import metric_value, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix
from tests.unit.alerts.promql import all_expressions, metric_names, substitute_grafana_vars
from tests.waits import stays

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 3, 8, tzinfo=UTC)
OUTAGE_SECONDS = 25
MAX_BATCH = 100  # the notifier's batch limit in this stack; the flood is larger
FLOOD = 120  # critical alerts at once: > MAX_BATCH > 50 (a typical max_alerts) > 20 (per post)
HOOK = "/hook"
AM_HOOK = "/alertmanager"


@dataclass
class Stack:
    settings: Settings
    receiver: HttpReceiver
    smtp: SmtpSink
    worker: WiredWorker
    notifier: Service
    notifier_port: int
    prometheus: str
    alertmanager: str
    am_smtp: SmtpSink

    def publish(self, records: list[GeneratedRecord]) -> None:
        producer = make_producer(self.settings)
        publish(records, producer, self.settings.topic(names.RAW), rate=0)
        producer.close()

    def notifier_metrics(self) -> str:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.notifier_port}/metrics") as r:
            return str(r.read().decode())

    def hook_alert_ids(self) -> list[str]:
        return [a for body in self.receiver.bodies(HOOK) for a in body["alert_ids"]]


def traffic(
    prefix: str, count: int, seed: int, rate: float
) -> tuple[list[GeneratedRecord], set[str]]:
    spec = TrafficSpec(count=count, seed=seed, start=START, violation_rate=rate, id_prefix=prefix)
    records = list(generate(spec))
    planted = {r.label["payment_id"] for r in records if r.label["expected_rules"]}
    assert planted, "the generator planted no violation"
    return records, planted


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("alerting")
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("alerting"), tmp)
    create_topics(settings)
    started: list[Any] = []
    try:
        receiver = HttpReceiver().start()
        started.append(receiver)
        smtp = SmtpSink().start()
        started.append(smtp)
        am_smtp = SmtpSink().start()
        started.append(am_smtp)
        am, am_url = start_alertmanager(tmp, receiver.url + AM_HOOK, am_smtp.port)
        started.append(am)
        worker = WiredWorker(settings, tmp / "worker.log").start()
        started.append(worker)
        notifier, notifier_port = start_notifier(
            settings,
            tmp,
            group_id=f"{settings.app_id}-notifier",
            alertmanager_url=am_url,
            webhook_url=receiver.url + HOOK,
            webhook_format="generic",
            smtp_host="127.0.0.1",
            smtp_port=str(smtp.port),
            smtp_to="sanctions-ops@bank.test",
            group_window_seconds="1.5",
            attempts="3",
            backoff_base_seconds="0.2",
            backoff_max_seconds="1",
            park_delay_seconds="2",
            park_max_delay_seconds="4",
            max_batch=str(MAX_BATCH),
        )
        started.append(notifier)
        prom, prom_url = start_prometheus(tmp, settings.web_port, notifier_port, am_url)
        started.append(prom)
        yield Stack(
            settings, receiver, smtp, worker, notifier, notifier_port, prom_url, am_url, am_smtp
        )
    finally:
        for item in reversed(started):
            item.stop()


BANNED_AGENT = {"bic": "AIBIIQBA", "name": "Ashur International Bank", "country": "IQ"}


def banned_records(prefix: str, count: int, seed: int, fmt: str) -> list[GeneratedRecord]:
    """USD payments sent by a bank the CBI barred from USD business: one critical
    CBI-USD-BAN block each. Keyed by debtor account, as the gateway keys them."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        payment = clean_payment(rng, f"{prefix}{i:05d}", START + timedelta(seconds=i), 1.0)
        payment["debtor_agent"] = dict(BANNED_AGENT)
        if fmt == "json":
            value, content_type = orjson.dumps(payment), JSON_CONTENT_TYPE
        else:
            value, content_type = renderers()[fmt](payment)
        label = {"payment_id": payment["payment_id"], "debtor": payment["debtor"]["account"]}
        records.append(
            GeneratedRecord(payment["debtor"]["account"].encode(), value, content_type, label)
        )
    return records


def alerts_on_topic(stack: Stack, prefix: str, expected: int) -> list[Alert]:
    """The alerts the worker wrote for payments whose id starts with `prefix`."""

    def mine(records: list[Any]) -> list[Alert]:
        found = [Alert.model_validate_json(r.value) for r in records]
        return [a for a in found if a.payment.payment_id.startswith(prefix)]

    topic = stack.settings.topic(names.ALERTS)
    records = read_topic(
        stack.settings.kafka_bootstrap, topic, lambda r: len(mine(r)) >= expected, 90
    )
    return mine(records)


def test_first_block_fires_every_critical_alert_reaches_people_ports_stay_shut(
    stack: Stack,
) -> None:
    # 1. The worker's first block ever, alone, in a format nothing else used: Prometheus has
    #    seen that series (created at 0) or sees it born within the window: the rule fires.
    (single,) = banned_records("FIRST-", 1, 51, "pacs008")
    stack.publish([single])

    def blocked_firing() -> list[dict[str, Any]]:
        alerts = prom_api(stack.prometheus, "/api/v1/alerts")["alerts"]
        return [
            a
            for a in alerts
            if a["labels"]["alertname"] == "DinarwatchPaymentsBlocked" and a["state"] == "firing"
        ]

    fired = wait_for(blocked_firing, 60)
    assert fired, stack.worker.log_tail()
    assert fired[0]["labels"]["currency"] == "USD"
    assert fired[0]["annotations"]["summary"].startswith("1 USD payment(s) blocked"), fired
    series = 'dinarwatch_payments_total{format="pacs.008",currency="USD",decision="block"}'
    (sample,) = prom_api(stack.prometheus, "/api/v1/query", query=series)["result"]
    assert sample["value"][1] == "1"

    # 2. More critical alerts at once than any limit: every id reaches the webhook through the
    #    notifier (itemised, split into posts) and through Alertmanager, and the e-mails.
    flood = banned_records("FLOOD-", FLOOD, 53, "json")
    stack.publish(flood)
    alerts = alerts_on_topic(stack, "FLOOD-", FLOOD)
    critical = {a.alert_id for a in alerts if a.severity.value == "critical"}
    assert len({a.payment.payment_id for a in alerts if a.alert_id in critical}) == FLOOD

    def hook_docs() -> dict[str, dict[str, Any]]:
        return {
            a["alert_id"]: a
            for b in stack.receiver.bodies(HOOK)
            for a in b["alerts"]
            if a["alert_id"] in critical
        }

    assert wait_for(lambda: len(hook_docs()) == len(critical), 90), stack.notifier.log_tail()
    for body in stack.receiver.bodies(HOOK):
        assert body["count"] == len(body["alerts"]) == len(body["alert_ids"]) <= 20
    for doc in hook_docs().values():
        assert doc["severity"] == "critical" and doc["rule"] == "CBI-USD-BAN"
        assert doc["payment_id"].startswith("FLOOD-") and doc["amount"]
        assert "*" in doc["debtor_account"] and "*" in doc["creditor_account"]
        assert doc["list_entry"].startswith("cbi-usd-ban:")
        assert doc["link"].startswith(
            f"dinarwatch replay --topic {stack.settings.topic(names.RAW)}"
        )

    def am_alerts() -> dict[str, dict[str, Any]]:
        return {
            a["labels"]["alert_id"]: a
            for body in stack.receiver.bodies(AM_HOOK)
            for a in body["alerts"]
            if a["labels"].get("alert_id") in critical
        }

    assert wait_for(lambda: len(am_alerts()) == len(critical), 90), stack.receiver.bodies(AM_HOOK)[
        -1:
    ]
    for alert in am_alerts().values():
        notes = alert["annotations"]
        assert alert["labels"]["bank"] == "AIBIIQBA" and alert["labels"]["payment_id"]
        assert "*" in notes["debtor_account"] and notes["list_entry"].startswith("cbi-usd-ban:")
        assert notes["amount"].endswith(" USD") and notes["link"].startswith("dinarwatch replay")

    assert wait_for(lambda: critical <= set(stack.smtp.alert_ids()), 60)
    assert wait_for(lambda: all(i in am_email_text(stack) for i in critical), 60)

    # 3. The ports: every route the worker's Faust app registers (and every built-in Faust
    #    page), with the flood's debtor accounts as table keys, answers nothing but an error
    #    that names none of them; only /metrics and /health answer, on both processes.
    debtors = [r.label["debtor"] for r in flood[:5]]
    keys = [*debtors, "IQ20RAFB00100000000001"]
    requests = probe_paths(worker_routes(stack.settings), "debtor-windows", keys)
    secrets = [*keys, *(r.label["payment_id"] for r in flood[:5])]
    assert port_leaks(stack.worker.url, requests, secrets) == []
    assert port_leaks(f"http://127.0.0.1:{stack.notifier_port}", requests, secrets) == []


def am_email_text(stack: Stack) -> str:
    """Every text part of every e-mail Alertmanager sent, decoded."""
    parts = []
    for message in list(stack.am_smtp.messages):
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_planted_violations_reach_webhook_alertmanager_and_email(stack: Stack) -> None:
    records, planted = traffic("ALR1-", 300, 41, 0.05)
    stack.publish(records)

    def hook_done() -> bool:
        return {
            a["payment_id"] for b in stack.receiver.bodies(HOOK) for a in b["alerts"]
        } >= planted

    assert wait_for(hook_done, 90), stack.notifier.log_tail()
    bodies = stack.receiver.bodies(HOOK)
    ids = stack.hook_alert_ids()
    assert len(ids) == len(set(ids)) >= len(planted)
    # A burst of one rule is grouped: far fewer messages than alerts, counts add up.
    assert len(bodies) < len(ids)
    assert sum(b["count"] for b in bodies) == len(ids)
    doc = next(a for b in bodies for a in b["alerts"] if a["rule"] == "CBI-USD-BAN")
    assert doc["evidence"] and "*" in doc["debtor_account"] and doc["severity"] == "critical"

    def am_payment_ids() -> set[str]:
        return {
            a["annotations"]["payment_id"]
            for body in stack.receiver.bodies(AM_HOOK)
            for a in body["alerts"]
            if a["labels"]["alertname"] == "DinarwatchScreeningAlert"
        }

    assert wait_for(lambda: am_payment_ids() >= planted, 60), stack.receiver.bodies(AM_HOOK)[:2]
    am_alert = next(
        a
        for body in stack.receiver.bodies(AM_HOOK)
        for a in body["alerts"]
        if a["labels"]["alertname"] == "DinarwatchScreeningAlert"
    )
    assert {"rule", "severity", "action", "bank", "currency"} <= set(am_alert["labels"])
    assert am_alert["annotations"]["evidence"] and am_alert["annotations"]["summary"]

    assert wait_for(lambda: len(stack.smtp.alert_ids()) >= len(ids), 60)
    assert sorted(stack.smtp.alert_ids()) == sorted(ids)
    subjects = [str(m["Subject"]) for m in stack.smtp.messages]
    assert all(s.startswith("[dinarwatch] ") for s in subjects)
    assert any("CBI-USD-BAN alerts (block, critical)" in s for s in subjects), subjects


def test_prometheus_rule_fires_on_worker_metrics_and_reaches_alertmanager(stack: Stack) -> None:
    # increase() needs the block series to exist before the next blocks: wait for it first.
    block = 'dinarwatch_payments_total{decision="block"}'
    assert wait_for(lambda: prom_api(stack.prometheus, "/api/v1/query", query=block)["result"], 30)
    records, _ = traffic("ALR2-", 40, 43, 0.25)
    stack.publish(records)

    def firing() -> list[dict[str, Any]]:
        alerts = prom_api(stack.prometheus, "/api/v1/alerts")["alerts"]
        return [
            a
            for a in alerts
            if a["labels"]["alertname"] == "DinarwatchPaymentsBlocked" and a["state"] == "firing"
        ]

    fired = wait_for(firing, 60)
    assert fired and fired[0]["labels"]["severity"] == "critical"

    def reached_am_webhook() -> bool:
        return any(
            a["labels"]["alertname"] == "DinarwatchPaymentsBlocked"
            for body in stack.receiver.bodies(AM_HOOK)
            for a in body["alerts"]
        )

    assert wait_for(reached_am_webhook, 60)


def test_receiver_outage_every_alert_delivered_exactly_once(stack: Stack) -> None:
    assert wait_for(lambda: len(stack.hook_alert_ids()) > 0, 60)
    before_email = Counter(stack.smtp.alert_ids())
    stack.receiver.stop()
    try:
        records, planted = traffic("ALR3-", 200, 47, 0.1)
        stack.publish(records)
        time.sleep(OUTAGE_SECONDS)
        parked = metric_value(
            stack.notifier_metrics(),
            "dinarwatch_notifications_total",
            {"channel": "webhook", "outcome": "parked"},
        )
        assert parked >= len(planted), stack.notifier.log_tail()
    finally:
        stack.receiver.start()

    def delivered() -> set[str]:
        return {
            a["payment_id"]
            for b in stack.receiver.bodies(HOOK)
            for a in b["alerts"]
            if a["payment_id"] in planted
        }

    assert wait_for(lambda: delivered() == planted, 60), stack.notifier.log_tail()
    # for longer than the park delay cap (a duplicate would arrive within it): no id twice
    stays(
        lambda: max(Counter(stack.hook_alert_ids()).values(), default=0) <= 1,
        6,
        "every alert id reaching the webhook once",
    )
    ids = Counter(stack.hook_alert_ids())
    assert ids and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    emailed = Counter(stack.smtp.alert_ids()) - before_email
    new_ids = {
        i
        for b in stack.receiver.bodies(HOOK)
        for a in b["alerts"]
        for i in [a["alert_id"]]
        if a["payment_id"] in planted
    }
    assert wait_for(lambda: set(Counter(stack.smtp.alert_ids()) - before_email) >= new_ids, 30)
    emailed = Counter(stack.smtp.alert_ids()) - before_email
    assert max(emailed.values()) == 1


def test_every_promql_expression_is_backed_by_real_metrics(stack: Stack) -> None:
    # its own traffic (it also passes alone, -k promql): violations and dead letters
    records, _ = traffic("ALR4-", 200, 43, 0.1)
    stack.publish(records + _malformed(5))
    # The desk is not part of this stack: its metric names are checked against its own registry
    # by tests/unit/alerts/test_deploy_configs.py and its SLA rule by the promtool tests.
    # Nor is `lists fetch` (its own process; its rules have promtool tests).
    elsewhere = _desk_metric_names() | _fetch_metric_names()
    exprs = [e for e in all_expressions() if not (metric_names(e.expr) & elsewhere)]
    names_used = set().union(*(metric_names(e.expr) for e in exprs))

    def exported() -> set[str]:
        return set(prom_api(stack.prometheus, "/api/v1/label/__name__/values"))

    wait_for(lambda: names_used <= exported(), 30, interval=1)
    missing = names_used - exported()
    assert not missing, f"queries use metrics nobody exports: {sorted(missing)}"

    def without_data() -> list[str]:
        empty = []
        for e in exprs:
            query = substitute_grafana_vars(e.expr)
            result = prom_api(stack.prometheus, "/api/v1/query", query=query)["result"]
            if e.source.startswith("dashboard") and not result:
                empty.append(f"{e.source}: {query}")
        return empty

    # rate() needs two scrapes after the last traffic: poll until they are there
    wait_for(lambda: not without_data(), 30, interval=1)
    empty = without_data()
    assert not empty, "dashboard queries without data:\n" + "\n".join(empty)


def _desk_metric_names() -> set[str]:
    names: set[str] = set()
    for family in DeskMetrics().registry.collect():
        names |= {family.name, f"{family.name}_total", f"{family.name}_bucket"}
    return names


def _fetch_metric_names() -> set[str]:
    from pathlib import Path

    from lists.fetch_metrics import registry_for
    from lists.store import ListStore
    from rules.lists.sources import SOURCES

    registry = registry_for(ListStore(Path("/nonexistent/list-store")), list(SOURCES))
    return {n for f in registry.collect() for n in (f.name, f"{f.name}_total")}


def _malformed(count: int) -> list[GeneratedRecord]:
    return [
        GeneratedRecord(f"BAD-{i}".encode(), b"{not json", "application/json", {})
        for i in range(count)
    ]
