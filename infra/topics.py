"""Topic names and their configuration: the one place that knows the pipeline's topics.

`DINARWATCH_TOPIC_PREFIX` isolates deployments sharing a cluster: every topic the product
creates or writes carries it, Faust's own topics and consumer group included (through the
Faust app id, `faust_app_id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.settings import Settings

RAW = "payments.raw"
VALID = "payments.valid"
DLQ = "payments.dlq"
DECISIONS = "payments.decisions"
ALERTS = "alerts"
ALERTS_RETRY = "alerts.retry"
DISPOSITIONS = "alerts.dispositions"
WATCHLISTS = "watchlists"
SCREENED = "payments.screened"
"""Screened payments keyed by payment id, for delta re-screening (docs/rescreen.md)."""
SCREENED_RETENTION_DAYS = 31
EXCEPTIONS = "exceptions"
WINDOW_TABLE = "debtor-windows"
"""The Faust table of per-debtor windows; Faust names its changelog after it."""


@dataclass(frozen=True)
class TopicSpec:
    """A topic's name and the configs `dinarwatch topics create` gives it."""

    name: str
    purpose: str
    compacted: bool = False
    configs: dict[str, str] = field(default_factory=dict)
    partitions: int | None = None  # None: DINARWATCH_TOPIC_PARTITIONS

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
        SCREENED,
        "screened payments by payment id: payment, original decision, alerts raised "
        "(delta re-screening reads the last DINARWATCH_RESCREEN_DAYS)",
        compacted=True,
        # Compacted (one record per payment, updated when a retro alert is raised) and deleted
        # by time: record timestamps are the payments' created_at, so a payment leaves the
        # store SCREENED_RETENTION_DAYS after it was made, one day more than the longest
        # re-screening window.
        configs={
            "cleanup.policy": "compact,delete",
            "retention.ms": str(SCREENED_RETENTION_DAYS * 86_400_000),
        },
    ),
    TopicSpec(DISPOSITIONS, "desk dispositions and approved releases/blocks, keyed by payment id"),
    TopicSpec(
        WATCHLISTS,
        "reference lists and rule packs, latest per key",
        compacted=True,
        # One record holds a whole list: the full SDN is ~1 MB gzipped and growing. 16 MiB is
        # lists.wire.MAX_RECORD_BYTES, the publisher's limit (a unit test checks both).
        configs={"max.message.bytes": str(16 * 1024 * 1024)},
    ),
    TopicSpec(
        EXCEPTIONS,
        "desk good-guy exceptions (active, revoked, expired), latest per exception id",
        compacted=True,
    ),
)


def broker_name(settings: Settings, name: str) -> str:
    """The topic on the broker for a name given by a person (`generate --topic payments.raw`):
    the prefix is added unless the name already carries it."""
    prefix = settings.topic_prefix
    return name if prefix and name.startswith(prefix) else f"{prefix}{name}"


def faust_app_id(settings: Settings) -> str:
    """The Faust app id: it names the worker's consumer group and the topics Faust makes
    itself (`<id>-debtor-windows-changelog`, `<id>-__assignor-__leader`), so it carries the
    topic prefix (unless `DINARWATCH_APP_ID` already starts with it)."""
    return broker_name(settings, settings.app_id)


def faust_topics(settings: Settings) -> dict[str, TopicSpec]:
    """Topics Faust creates on the worker's first start, by full name, with what they need."""
    app_id = faust_app_id(settings)
    return {
        f"{app_id}-{WINDOW_TABLE}-changelog": TopicSpec(
            f"{WINDOW_TABLE}-changelog", "window table changelog (Faust)", compacted=True
        ),
        f"{app_id}-__assignor-__leader": TopicSpec(
            "__assignor-__leader", "partition assignor leader election (Faust)", partitions=1
        ),
    }
