"""The desk's Prometheus metrics, on their own registry (the desk runs beside, not inside, the
worker: its process serves these at /metrics and nothing else)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class DeskMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.ingest_records = Counter(
            "dinarwatch_desk_ingest_records_total",
            "Records the desk ingest read, by topic and outcome (stored, duplicate, ignored, "
            "rejected)",
            ["topic", "outcome"],
            registry=self.registry,
        )
        self.ingest_lag = Gauge(
            "dinarwatch_desk_ingest_lag",
            "Records on a partition not yet committed by the desk ingest's consumer group",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.ingest_backlog = Gauge(
            "dinarwatch_desk_ingest_backlog",
            "Sum of the ingest lag over every assigned partition",
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "dinarwatch_desk_outbox_pending",
            "Disposition/release events committed but not yet acknowledged by the broker",
            registry=self.registry,
        )
        self.actions = Counter(
            "dinarwatch_desk_actions_total",
            "Desk actions taken through the API, by action and outcome (ok, refused)",
            ["action", "outcome"],
            registry=self.registry,
        )
        self.cases = Gauge(
            "dinarwatch_desk_cases",
            "Cases in the desk's database by status and severity (read at scrape time)",
            ["status", "severity"],
            registry=self.registry,
        )
        self.oldest_open_case_age = Gauge(
            "dinarwatch_desk_oldest_open_case_age_seconds",
            "Age of the oldest open or escalated case, by severity",
            ["severity"],
            registry=self.registry,
        )
        self.dispositions = Gauge(
            "dinarwatch_desk_dispositions",
            "Dispositions recorded, by rule of the case's alerts and disposition: the "
            "false-positive rate of a rule is false_positive / all of its dispositions",
            ["rule", "disposition"],
            registry=self.registry,
        )
        self.sla_seconds = Gauge(
            "dinarwatch_desk_sla_seconds",
            "How long a case of this severity may wait (DINARWATCH_DESK_SLA_MINUTES)",
            ["case_severity"],
            registry=self.registry,
        )
        self.sla_breached = Gauge(
            "dinarwatch_desk_sla_breached_cases",
            "Cases open, escalated or pending approval for longer than their severity's SLA",
            ["case_severity"],
            registry=self.registry,
        )
        self.active_exceptions = Gauge(
            "dinarwatch_desk_active_exceptions",
            "Approved exceptions not yet expired or revoked",
            registry=self.registry,
        )
        for outcome in ("stored", "duplicate", "ignored", "rejected"):
            for topic in ("alerts", "payments.decisions"):
                self.ingest_records.labels(topic, outcome)
