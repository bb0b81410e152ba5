"""Topic names and their configuration: the one place that knows the pipeline's topics."""

from __future__ import annotations

from dataclasses import dataclass, field

RAW = "payments.raw"
VALID = "payments.valid"
DLQ = "payments.dlq"
DECISIONS = "payments.decisions"
ALERTS = "alerts"
WATCHLISTS = "watchlists"


@dataclass(frozen=True)
class TopicSpec:
    """A topic's name and the configs `dinarwatch topics create` gives it."""

    name: str
    purpose: str
    compacted: bool = False
    configs: dict[str, str] = field(default_factory=dict)

    def kafka_configs(self, max_message_bytes: int) -> dict[str, str]:
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        # Raw and dead-lettered records may be large XML; the DLQ must accept whatever raw did.
        configs["max.message.bytes"] = str(max(max_message_bytes * 2, 1_048_588))
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
    TopicSpec(WATCHLISTS, "reference lists and rule packs, latest per key", compacted=True),
)
