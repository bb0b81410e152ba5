"""What the readiness checks call a difference (infra/admin.py `topic_differences`), and the
names the topic prefix gives (infra/topics.py). The same checks against a real broker are in
tests/integration/test_readiness.py."""

from __future__ import annotations

from typing import Any

from infra import topics as names
from infra.admin import topic_differences
from infra.settings import Settings
from infra.topics import TOPICS, broker_name, faust_app_id, faust_topics

SETTINGS = Settings(_env_file=None, topic_partitions=4, replication_factor=1)
SPECS = {spec.name: spec for spec in TOPICS}


def _partitions(count: int, replicas: int = 1) -> list[dict[str, Any]]:
    return [{"partition_index": i, "replica_nodes": list(range(replicas))} for i in range(count)]


def _as_created(name: str) -> dict[str, str]:
    return SPECS[name].kafka_configs(SETTINGS.max_record_bytes)


def test_topics_as_create_makes_them_have_no_difference() -> None:
    for name in SPECS:
        assert topic_differences(SPECS[name], SETTINGS, _partitions(4), _as_created(name)) == ()


def test_auto_created_watchlists_differs_in_policy_and_size() -> None:
    configs = {"cleanup.policy": "delete", "max.message.bytes": "1048588", "retention.ms": "-1"}
    differences = topic_differences(SPECS[names.WATCHLISTS], SETTINGS, _partitions(4), configs)
    assert differences == (
        "cleanup.policy=delete, needs compact (records must be kept, latest per key)",
        "max.message.bytes=1,048,588, needs at least 16,777,216",
    )


def test_compact_and_delete_is_not_compaction_enough_for_lists() -> None:
    configs = {**_as_created(names.WATCHLISTS), "cleanup.policy": "compact,delete"}
    (difference,) = topic_differences(SPECS[names.WATCHLISTS], SETTINGS, _partitions(4), configs)
    assert difference.startswith("cleanup.policy=compact,delete, needs compact")


def test_a_compacted_payment_topic_would_drop_payments() -> None:
    configs = {**_as_created(names.RAW), "cleanup.policy": "compact"}
    (difference,) = topic_differences(SPECS[names.RAW], SETTINGS, _partitions(4), configs)
    assert difference.startswith("cleanup.policy=compact, needs delete")


def test_partitions_must_match_replicas_and_limits_may_exceed() -> None:
    bigger = {
        **_as_created(names.DLQ),
        "max.message.bytes": str(64 * 1024 * 1024),
        "retention.ms": "-1",  # kept forever: longer than the 30 days it needs
    }
    assert topic_differences(SPECS[names.DLQ], SETTINGS, _partitions(4, 3), bigger) == ()
    shorter = {**_as_created(names.DLQ), "retention.ms": "3600000"}
    assert topic_differences(SPECS[names.DLQ], SETTINGS, _partitions(8), shorter) == (
        "8 partitions, needs 4 (DINARWATCH_TOPIC_PARTITIONS); recreate it or set the "
        "partitions to match",
        "retention.ms=3,600,000, needs at least 2,592,000,000",
    )
    three = SETTINGS.model_copy(update={"replication_factor": 3})
    assert topic_differences(
        SPECS[names.RAW], three, _partitions(4, 1), _as_created(names.RAW)
    ) == ("replication factor 1, needs 3 (DINARWATCH_REPLICATION_FACTOR)",)


def test_faust_topics_are_checked_for_partitions_and_compaction_only() -> None:
    settings = SETTINGS.model_copy(update={"topic_prefix": "eu-"})
    changelog, leader = faust_topics(settings).items()
    assert changelog[0] == "eu-dinarwatch-debtor-windows-changelog"
    assert leader[0] == "eu-dinarwatch-__assignor-__leader"
    broker_defaults = {"cleanup.policy": "compact", "max.message.bytes": "1048588"}
    assert topic_differences(changelog[1], settings, _partitions(4), broker_defaults, True) == ()
    assert topic_differences(leader[1], settings, _partitions(1), {}, faust=True) == ()
    (difference,) = topic_differences(
        changelog[1], settings, _partitions(4), {"cleanup.policy": "delete"}, faust=True
    )
    assert difference.startswith("cleanup.policy=delete, needs compact")


def test_prefix_is_added_once() -> None:
    settings = SETTINGS.model_copy(update={"topic_prefix": "eu-"})
    assert broker_name(settings, "payments.raw") == "eu-payments.raw"
    assert broker_name(settings, "eu-payments.raw") == "eu-payments.raw"
    assert broker_name(SETTINGS, "payments.raw") == "payments.raw"
    assert faust_app_id(settings) == "eu-dinarwatch"
    assert faust_app_id(settings.model_copy(update={"app_id": "eu-dw"})) == "eu-dw"
