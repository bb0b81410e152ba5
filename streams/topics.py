"""Topic names and their configuration: the one place that knows the pipeline's topics."""

from __future__ import annotations

from dataclasses import dataclass, field

RAW = "payments.raw"
VALID = "payments.valid"
DLQ = "payments.dlq"
DECISIONS = "payments.decisions"
ALERTS = "alerts"
ALERTS_RETRY = "alerts.retry"
WATCHLISTS = "watchlists"


@dataclass(frozen=True)
class TopicSpec:
    """A topic's name and the configs `dinarwatch topics create` gives it."""

    name: str
    purpose: str
    compacted: bool = False
    configs: dict[str, str] = field(default_factory=dict)

    def kafka_configs(self, max_record_bytes: int) -> dict[str, str]:
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        # A record larger than the parse limit must still reach the DLQ whole: every topic
        # accepts records up to max_record_bytes, the DLQ whatever raw did.
        configs["max.message.bytes"] = str(max_record_bytes)
        return {**configs, **self.configs}


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(RAW, "payment messages as received (JSON, ISO 20022 XML, SWIFT MT)"),
    TopicSpec(VALID, "validated canonical payments, keyed by debtor account (for windowed rules)"),
    TopicSpec(
        DLQ,
        "rejected records: original bytes plus reason headers",
        configs={"retention.ms": "2592000000"},
    ),
    TopicSpec(DECISIONS, "one decision per payment (pass/review/block) with findings"),
    TopicSpec(ALERTS, "one alert per (payment, rule) whose action is review or block"),
    TopicSpec(
        WATCHLISTS,
        "reference lists and rule packs, latest per key",
        compacted=True,
        # One record holds a whole list: the full SDN is ~1 MB gzipped and growing. 16 MiB is
        # streams.watchlists.MAX_RECORD_BYTES, the publisher's limit (a unit test checks both).
        configs={"max.message.bytes": str(16 * 1024 * 1024)},
    ),
)
