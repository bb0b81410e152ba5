"""The processes' Prometheus metrics (the worker's PipelineMetrics, the notifier's
NotifierMetrics), each on a registry of its own (no process-wide globals).

Platform, not adapter: the worker (streams/) and the notifier (alerts/) both serve these, and
neither may import the other.

Label values are bounded sets (format, currency, decision, rule, severity, reason): never a
payment id or an account, so the number of series stays small.

Every series whose label values are known at start is created at 0 (`init_series`,
`init_rules`, `NotifierMetrics.init_channels`): a counter created on its first increment first
shows up in Prometheus already at 1, `increase()` has no earlier sample to count from, and a
single blocked payment would never fire DinarwatchPaymentsBlocked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from schemas.alert import Alert
from schemas.common import Action, Severity
from schemas.decision import Decision
from schemas.parsers.errors import REASONS
from schemas.payment import MessageType

SERVED_PATHS = frozenset({"/metrics", "/health"})
"""What a process's metrics port answers, the worker's and the notifier's (docs/security.md)."""

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_SCREEN_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)

CURRENCIES = ("USD", "IQD")
"""Currencies whose payment series exist from start: the one the rules scope (USD) and the
home currency. Others appear on first use (the alert rules cover that case as well)."""
_MANIFEST_LABELS = ("source", "sha256", "fetched_at")
"""dinarwatch_list_info labels read from a list's manifest (lists/files.py ListSource)."""
DEAD_LETTER_REASONS = REASONS | {"internal-decode", "future-timestamp", "ancient-timestamp"}
"""Parser reasons plus the worker's own (screening/decode.py, streams/pipeline.py)."""


class PipelineMetrics:
    """Counters and histograms the agents update; served on /metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._list_versions: dict[str, set[tuple[str, ...]]] = {}
        self._lag_series: set[tuple[str, int]] = set()
        self._published: set[str] = set()
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
            "Wall-clock time to screen one payment",
            registry=r,
            buckets=_SCREEN_BUCKETS,
        )
        # The histogram's wall clock also counts time the worker's thread waits for a core
        # (the broker or another worker on the same machine): the CPU spent screening tells
        # a slow core from a starved one.
        self.screening_cpu_seconds = Counter(
            "dinarwatch_screening_cpu_seconds",
            "CPU time the worker's thread spent screening payments (its own CPU clock)",
            registry=r,
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
        self.list_published = Gauge(
            "dinarwatch_list_published_timestamp_seconds",
            "The loaded version's own publication date (00:00 UTC); absent for an undated list",
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
            "Always 1; the `version` label is the loaded version of each reference list, the "
            "others its manifest's source, SHA-256 and fetched-at (empty when unknown)",
            ["list", "version", "source", "sha256", "fetched_at"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "dinarwatch_consumer_lag",
            "Records not yet processed: partition highwater minus committed offset",
            ["topic", "partition"],
            registry=r,
        )
        self.init_series()

    def init_series(self) -> None:
        """Create at 0 every series whose labels are known without the rule pack."""
        decisions = [a.value for a in Action]
        for fmt in MessageType:
            for currency in CURRENCIES:
                for verdict in decisions:
                    self.payments.labels(fmt.value, currency, verdict)
        for verdict in decisions:
            self.amount_usd.labels(verdict)
        for reason in sorted(DEAD_LETTER_REASONS):
            self.dead_letters.labels(reason)

    def init_rules(self, rules: Iterable[str]) -> None:
        """Create at 0 the alert series of every rule (of the loaded pack), each severity."""
        for rule in rules:
            for severity in Severity:
                self.alerts.labels(rule, severity.value)

    def record_list_published(self, name: str, published: date | None) -> None:
        """The list's own date (its age is `time() - ...`), or no series when it has none."""
        if published is None:
            if name in self._published:
                self.list_published.remove(name)
                self._published.discard(name)
            return
        moment = datetime(published.year, published.month, published.day, tzinfo=UTC)
        self.list_published.labels(name).set(moment.timestamp())
        self._published.add(name)

    def record_decision(self, decision: Decision, fmt: str, amount: Decimal, bank: str) -> None:
        """Count one decision now (the worker counts per batch with a DecisionTally)."""
        tally = DecisionTally()
        tally.add(decision, fmt, amount, bank)
        tally.flush(self)

    def record_alert(self, alert: Alert) -> None:
        self.alerts.labels(alert.rule, alert.severity.value).inc()

    def record_dead_letter(self, reason: str) -> None:
        self.dead_letters.labels(reason).inc()

    def record_list_versions(
        self,
        versions: Mapping[str, str],
        manifests: Mapping[str, Mapping[str, Any] | None] | None = None,
    ) -> None:
        """Publish the loaded list versions; a list's previous version series is removed so
        the version panel shows one row per list, not its history."""
        for name, version in versions.items():
            manifest = (manifests or {}).get(name) or {}
            labels = (version, *(str(manifest.get(k) or "") for k in _MANIFEST_LABELS))
            for old in list(self._list_versions.get(name, ())):
                if old != labels:
                    self.list_info.remove(name, *old)
            self.list_info.labels(name, *labels).set(1)
            self._list_versions[name] = {labels}

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


class DecisionTally:
    """Decision counters kept until `flush`: the worker flushes once per batch, because each
    labelled counter update costs a label look-up and a lock (four per USD payment), and per
    batch that is paid once per distinct label set."""

    __slots__ = ("amounts", "banks", "flagged", "payments", "screening_cpu")

    def __init__(self) -> None:
        self.payments: dict[tuple[str, str, str], int] = {}
        self.amounts: dict[str, float] = {}
        self.banks: dict[str, float] = {}
        self.flagged: dict[tuple[str, str], int] = {}
        self.screening_cpu = 0.0

    def add(self, decision: Decision, fmt: str, amount: Decimal, bank: str) -> None:
        """Count a decision; `bank` is the debtor agent's BIC8 (a bounded label set). Counters
        take floats; the exact Decimal stays in the decision record."""
        verdict = decision.decision.value
        key = (fmt, decision.currency or "", verdict)
        self.payments[key] = self.payments.get(key, 0) + 1
        if decision.currency == "USD":
            usd = float(amount)
            self.amounts[verdict] = self.amounts.get(verdict, 0.0) + usd
            self.banks[bank] = self.banks.get(bank, 0.0) + usd
        if verdict != "pass":
            self.flagged[bank, verdict] = self.flagged.get((bank, verdict), 0) + 1

    def add_screening_cpu(self, seconds: float) -> None:
        """CPU seconds one payment's screening took (dinarwatch_screening_cpu_seconds_total)."""
        self.screening_cpu += seconds

    def flush(self, metrics: PipelineMetrics) -> None:
        if self.screening_cpu:
            metrics.screening_cpu_seconds.inc(self.screening_cpu)
            self.screening_cpu = 0.0
        for labels, count in self.payments.items():
            metrics.payments.labels(*labels).inc(count)
        for verdict, usd in self.amounts.items():
            metrics.amount_usd.labels(verdict).inc(usd)
        for bank, usd in self.banks.items():
            metrics.bank_usd_volume.labels(bank).inc(usd)
        for (bank, verdict), count in self.flagged.items():
            metrics.flagged_by_bank.labels(bank, verdict).inc(count)
        self.payments.clear()
        self.amounts.clear()
        self.banks.clear()
        self.flagged.clear()
