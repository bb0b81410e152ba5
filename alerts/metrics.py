"""The worker's Prometheus metrics, on a registry of their own (no process-wide globals).

Label values are bounded sets (format, currency, decision, rule, severity, reason): never a
payment id or an account, so the number of series stays small.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from schemas.alert import Alert
from schemas.decision import Decision

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_SCREEN_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)


class PipelineMetrics:
    """Counters and histograms the agents update; served on /metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._list_versions: dict[str, set[str]] = {}
        self._lag_series: set[tuple[str, int]] = set()
        r = self.registry
        self.payments = Counter(
            "dinarwatch_payments",
            "Payments screened",
            ["format", "currency", "decision"],
            registry=r,
        )
        self.amount_usd = Counter(
            "dinarwatch_payment_amount_usd",
            "Sum of USD-denominated payment amounts screened, by decision",
            ["decision"],
            registry=r,
        )
        self.alerts = Counter(
            "dinarwatch_alerts", "Alerts raised", ["rule", "severity"], registry=r
        )
        self.dead_letters = Counter(
            "dinarwatch_dead_letters",
            "Records sent to the dead-letter topic",
            ["reason"],
            registry=r,
        )
        self.screening_seconds = Histogram(
            "dinarwatch_screening_seconds",
            "Time to screen one payment",
            registry=r,
            buckets=_SCREEN_BUCKETS,
        )
        self.end_to_end_seconds = Histogram(
            "dinarwatch_end_to_end_seconds",
            "Payment created_at (event time) to decision written",
            registry=r,
            buckets=_LATENCY_BUCKETS,
        )
        self.bank_usd_volume = Counter(
            "dinarwatch_bank_usd_volume",
            "USD amount sent per debtor agent (BIC8); increase(...[1d]) is the daily volume",
            ["bank"],
            registry=r,
        )
        self.list_entries = Gauge(
            "dinarwatch_list_entries", "Entries per loaded reference list", ["list"], registry=r
        )
        self.list_loaded = Gauge(
            "dinarwatch_list_last_loaded_timestamp_seconds",
            "When each reference list was last loaded",
            ["list"],
            registry=r,
        )
        # Added for issue #5 (dashboards and alert rules); label sets stay bounded.
        self.flagged_by_bank = Counter(
            "dinarwatch_flagged_payments",
            "Payments decided review or block, per debtor agent (BIC8): the top-flagged banks",
            ["bank", "decision"],
            registry=r,
        )
        self.list_info = Gauge(
            "dinarwatch_list_info",
            "Always 1; the `version` label is the loaded version of each reference list",
            ["list", "version"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "dinarwatch_consumer_lag",
            "Records not yet processed: partition highwater minus committed offset",
            ["topic", "partition"],
            registry=r,
        )

    def record_decision(self, decision: Decision, fmt: str, amount: Decimal, bank: str) -> None:
        """Count a decision; `bank` is the debtor agent's BIC8 (a bounded label set)."""
        verdict = decision.decision.value
        self.payments.labels(fmt, decision.currency or "", verdict).inc()
        if decision.currency == "USD":
            # Counters take floats; the exact Decimal stays in the decision record.
            self.amount_usd.labels(verdict).inc(float(amount))
            self.bank_usd_volume.labels(bank).inc(float(amount))
        if verdict != "pass":
            self.flagged_by_bank.labels(bank, verdict).inc()

    def record_alert(self, alert: Alert) -> None:
        self.alerts.labels(alert.rule, alert.severity.value).inc()

    def record_dead_letter(self, reason: str) -> None:
        self.dead_letters.labels(reason).inc()

    def record_list_versions(self, versions: Mapping[str, str]) -> None:
        """Publish the loaded list versions; a list's previous version series is removed so
        the version panel shows one row per list, not its history."""
        for name, version in versions.items():
            for labels in list(self._list_versions.get(name, ())):
                if labels != version:
                    self.list_info.remove(name, labels)
            self.list_info.labels(name, version).set(1)
            self._list_versions[name] = {version}

    def record_lag(self, topic: str, partition: int, lag: int) -> None:
        """Set one partition's consumer lag (never negative)."""
        self.consumer_lag.labels(topic, str(partition)).set(max(lag, 0))
        self._lag_series.add((topic, partition))

    def forget_lag(self, keep: set[tuple[str, int]]) -> None:
        """Drop the lag series of partitions this worker no longer owns (after a rebalance),
        so a partition moved to another worker is not reported twice."""
        for topic, partition in list(self._lag_series):
            if (topic, partition) not in keep:
                self.consumer_lag.remove(topic, str(partition))
        self._lag_series &= keep


class NotifierMetrics:
    """The notifier process's metrics (its own registry, served on its own port)."""

    OUTCOMES = ("delivered", "retried", "parked")

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.notifications = Counter(
            "dinarwatch_notifications",
            "Alerts per channel and outcome: delivered, retried (an attempt failed and was "
            "retried), parked (every attempt failed; parked on alerts.retry)",
            ["channel", "outcome"],
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "dinarwatch_notification_delivery_seconds",
            "Time for one delivery attempt of one grouped message",
            ["channel"],
            registry=r,
            buckets=_LATENCY_BUCKETS,
        )
        self.consumed = Counter(
            "dinarwatch_notifier_alerts_consumed",
            "Alert records read by the notifier, by source topic (alerts or alerts.retry)",
            ["source"],
            registry=r,
        )
        self.duplicates = Counter(
            "dinarwatch_notifier_duplicates",
            "Alert records dropped because their alert_id was already notified",
            registry=r,
        )
        self.invalid = Counter(
            "dinarwatch_notifier_invalid_records",
            "Records on the alerts topic that are not valid alerts (logged and skipped)",
            registry=r,
        )
        self.messages = Counter(
            "dinarwatch_notification_messages",
            "Grouped messages sent per channel (one message carries one or more alerts)",
            ["channel"],
            registry=r,
        )

    def init_channels(self, channels: list[str]) -> None:
        """Create every (channel, outcome) series at zero so rate() and alert rules see them
        before the first failure."""
        for channel in channels:
            for outcome in self.OUTCOMES:
                self.notifications.labels(channel, outcome)
            self.delivery_seconds.labels(channel)
            self.messages.labels(channel)
        for source in ("alerts", "retry"):
            self.consumed.labels(source)

    def record_notification(self, channel: str, outcome: str, count: int = 1) -> None:
        self.notifications.labels(channel, outcome).inc(count)
