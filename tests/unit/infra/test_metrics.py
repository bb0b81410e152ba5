"""Series whose labels are known at start exist at 0 before the first event (so Prometheus has
a sample before the first increment), and each list's own publication date is exported."""

from __future__ import annotations

from datetime import UTC, date, datetime

from prometheus_client import CollectorRegistry

from infra.metrics import CURRENCIES, DEAD_LETTER_REASONS, PipelineMetrics
from lists.files import default_context
from schemas.common import Action, Severity
from schemas.payment import MessageType
from streams.runtime import WorkerRuntime


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in registry.collect()
        for s in family.samples
        if s.name == name
    }


def test_payment_and_dead_letter_series_exist_at_zero_before_any_payment() -> None:
    registry = PipelineMetrics().registry
    payments = samples(registry, "dinarwatch_payments_total")
    assert len(payments) == len(MessageType) * len(CURRENCIES) * len(Action)
    assert set(payments.values()) == {0.0}
    key = (("currency", "USD"), ("decision", "block"), ("format", "pacs.008"))
    assert payments[key] == 0.0
    reasons = samples(registry, "dinarwatch_dead_letters_total")
    assert {dict(k)["reason"] for k in reasons} == DEAD_LETTER_REASONS
    assert {"xml-forbidden-dtd", "future-timestamp", "internal-decode"} <= DEAD_LETTER_REASONS
    usd = samples(registry, "dinarwatch_payment_amount_usd_total")
    assert {dict(k)["decision"] for k in usd} == {"pass", "review", "block"}


def test_alert_series_of_every_rule_of_the_loaded_pack_exist_at_zero() -> None:
    context = default_context()
    runtime = WorkerRuntime(context)
    alerts = samples(runtime.metrics.registry, "dinarwatch_alerts_total")
    assert {dict(k)["rule"] for k in alerts} == set(context.pack.rules)
    assert {dict(k)["severity"] for k in alerts} == {s.value for s in Severity}
    assert set(alerts.values()) == {0.0}


def test_list_published_timestamp_is_the_lists_own_date() -> None:
    context = default_context()
    runtime = WorkerRuntime(context)
    published = {
        dict(k)["list"]: v
        for k, v in samples(
            runtime.metrics.registry, "dinarwatch_list_published_timestamp_seconds"
        ).items()
    }
    dated = {n: lst.published for n, lst in context.lists.lists.items() if lst.published}
    assert dated and set(published) == set(dated)
    for name, day in dated.items():
        assert published[name] == datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def test_an_undated_version_removes_the_published_series() -> None:
    metrics = PipelineMetrics()
    metrics.record_list_published("ofac-sdn", date(2025, 6, 1))
    assert samples(metrics.registry, "dinarwatch_list_published_timestamp_seconds") == {
        (("list", "ofac-sdn"),): 1748736000.0
    }
    metrics.record_list_published("ofac-sdn", None)
    assert samples(metrics.registry, "dinarwatch_list_published_timestamp_seconds") == {}
