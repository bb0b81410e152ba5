"""The worker's Prometheus metrics, on a registry of their own (no process-wide globals).

Label values are bounded sets (format, currency, decision, rule, severity, reason): never a
payment id or an account, so the number of series stays small.
"""

from __future__ import annotations

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

    def record_decision(self, decision: Decision, fmt: str, amount: Decimal, bank: str) -> None:
        """Count a decision; `bank` is the debtor agent's BIC8 (a bounded label set)."""
        verdict = decision.decision.value
        self.payments.labels(fmt, decision.currency or "", verdict).inc()
        if decision.currency == "USD":
            # Counters take floats; the exact Decimal stays in the decision record.
            self.amount_usd.labels(verdict).inc(float(amount))
            self.bank_usd_volume.labels(bank).inc(float(amount))

    def record_alert(self, alert: Alert) -> None:
        self.alerts.labels(alert.rule, alert.severity.value).inc()

    def record_dead_letter(self, reason: str) -> None:
        self.dead_letters.labels(reason).inc()
