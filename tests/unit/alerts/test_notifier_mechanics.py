"""Dedupe memory, backoff, parked-record headers, settings, lag arithmetic, new metrics."""

from __future__ import annotations

from collections import namedtuple

import pytest

from alerts.notifier.channels import channels_from_settings
from alerts.notifier.dedupe import TTLSet
from alerts.notifier.retry import Parked, backoff
from alerts.notifier.settings import NotifierSettings
from infra.metrics import NotifierMetrics, PipelineMetrics
from streams.lag import partition_lags

TP = namedtuple("TP", "topic partition")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ttl_set_forgets_after_ttl_and_past_capacity() -> None:
    clock = Clock()
    seen = TTLSet(ttl=10, max_entries=3, clock=clock)
    seen.add("a")
    clock.now = 5
    seen.add("b")
    assert "a" in seen and "b" in seen
    clock.now = 11
    assert "a" not in seen and "b" in seen
    for key in "cde":
        seen.add(key)
    assert len(seen) == 3 and "b" not in seen


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, 0.5, 3) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_parked_headers_round_trip() -> None:
    parked = Parked(("email", "webhook"), 3, 1234.5, "refused")
    again = Parked.from_headers(parked.headers())
    assert again == parked


def test_channels_are_enabled_by_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINARWATCH_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:1/hook")
    monkeypatch.setenv("DINARWATCH_NOTIFY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DINARWATCH_NOTIFY_SMTP_TO", "a@x.test, b@x.test")
    monkeypatch.setenv("DINARWATCH_NOTIFY_SMTP_PASSWORD", "s3cret")
    settings = NotifierSettings()
    assert settings.recipients() == ["a@x.test", "b@x.test"]
    assert "s3cret" not in repr(settings)
    assert [c.name for c in channels_from_settings(settings)] == ["webhook", "email"]


def test_lag_is_highwater_minus_committed() -> None:
    lags = partition_lags(
        {TP("raw", 0): 100, TP("raw", 1): 50, TP("raw", 2): None},
        {TP("raw", 0): 90, TP("raw", 1): None},
    )
    assert lags == {("raw", 0): 10, ("raw", 1): 50}


def test_lag_series_of_revoked_partitions_are_dropped() -> None:
    metrics = PipelineMetrics()
    metrics.record_lag("raw", 0, 5)
    metrics.record_lag("raw", 1, 7)
    metrics.forget_lag({("raw", 1)})
    samples = {
        s.labels["partition"]: s.value
        for m in metrics.registry.collect()
        if m.name == "dinarwatch_consumer_lag"
        for s in m.samples
    }
    assert samples == {"1": 7}


def test_list_versions_keep_one_series_per_list() -> None:
    metrics = PipelineMetrics()
    metrics.record_list_versions({"cbi-usd-ban": "v1"})
    metrics.record_list_versions({"cbi-usd-ban": "v2"})
    versions = [
        s.labels["version"]
        for m in metrics.registry.collect()
        if m.name == "dinarwatch_list_info"
        for s in m.samples
    ]
    assert versions == ["v2"]


def test_notifier_series_exist_at_zero_before_any_failure() -> None:
    metrics = NotifierMetrics()
    metrics.init_channels(["webhook"])
    names = {
        (s.labels.get("channel"), s.labels.get("outcome"))
        for m in metrics.registry.collect()
        if m.name == "dinarwatch_notifications"
        for s in m.samples
        if s.name == "dinarwatch_notifications_total"
    }
    assert names == {("webhook", "delivered"), ("webhook", "retried"), ("webhook", "parked")}
