"""Create and check the pipeline's topics with kafka-python's admin client (idempotent).

A topic that exists is not yet a topic that works: an auto-created `watchlists` topic has
`cleanup.policy=delete` (published lists expire) and the broker's 1 MiB record limit (the SDN
does not fit). So the check compares each topic with what `topics create` would have made
(infra/topics.py) and names every difference.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

from infra.kafka_clients import kafka_admin
from infra.settings import Settings
from infra.topics import TOPICS, TopicSpec, faust_topics


@dataclass(frozen=True)
class TopicStatus:
    """What the broker says about one of our topics, and how it differs from what it needs."""

    name: str
    exists: bool
    partitions: int | None
    created: bool = False
    differences: tuple[str, ...] = ()
    required: bool = True  # False: a topic Faust creates itself on the worker's first start

    @property
    def ok(self) -> bool:
        return (self.exists or not self.required) and not self.differences

    def lines(self) -> list[str]:
        """One line for the topic, then one per difference (what a check prints)."""
        if not self.exists:
            state = "missing" if self.required else "not created yet (the worker makes it)"
        else:
            state = "ok" if not self.differences else "differs"
        head = f"topic {self.name}: {state}"
        if self.exists:
            head += f" ({self.partitions} partition{'' if self.partitions == 1 else 's'})"
        return [head] + [f"topic {self.name}: {d}" for d in self.differences]


def admin_client(settings: Settings, bootstrap_timeout_s: float = 30.0) -> KafkaAdminClient:
    return kafka_admin(
        settings,
        "admin",
        request_timeout_ms=30_000,
        bootstrap_timeout_ms=int(bootstrap_timeout_s * 1000),
    )


def create_topics(settings: Settings, partitions: int | None = None) -> list[TopicStatus]:
    """Create every missing topic; existing ones are left as they are."""
    count = partitions or settings.topic_partitions
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        statuses = []
        for spec in TOPICS:
            name = settings.topic(spec.name)
            if name in existing:
                continue
            topic = NewTopic(
                name=name,
                num_partitions=count,
                replication_factor=settings.replication_factor,
                topic_configs=spec.kafka_configs(settings.max_record_bytes),
            )
            try:
                admin.create_topics([topic])
                statuses.append(TopicStatus(name, True, count, created=True))
            except TopicAlreadyExistsError:
                pass
        _wait_until_described(admin, [s.name for s in statuses])
        return statuses + check_topics(settings, admin, skip={s.name for s in statuses})
    finally:
        admin.close()


def _wait_until_described(admin: KafkaAdminClient, names: list[str], timeout: float = 15) -> None:
    """The controller acknowledges a creation before the broker's metadata lists the topic;
    a client asking at once (a check, a worker started next) would be told it does not exist.
    Wait until every new topic is described with its partitions, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while names and time.monotonic() < deadline:
        described = admin.describe_topics(names)
        if len(described) == len(names) and all(
            not info.get("error_code") and info.get("partitions") for info in described
        ):
            return
        time.sleep(0.2)


def check_topics(
    settings: Settings, admin: KafkaAdminClient | None = None, skip: set[str] | None = None
) -> list[TopicStatus]:
    """The state of every pipeline topic and of Faust's own topics (those once they exist),
    each with its differences from what it needs."""
    own = admin is None
    client = admin or admin_client(settings)
    try:
        wanted: dict[str, tuple[TopicSpec, bool]] = {
            settings.topic(s.name): (s, True) for s in TOPICS
        }
        wanted.update({name: (spec, False) for name, spec in faust_topics(settings).items()})
        names = [n for n in wanted if n not in (skip or set())]
        described: list[dict[str, Any]] = client.describe_topics(names) if names else []
        found: dict[str, dict[str, Any]] = {
            # kafka-python 3 names the topic "name" (DescribeTopicPartitions), 2.x "topic"
            str(info.get("name") or info.get("topic")): info
            for info in described
            if not info.get("error_code")
        }
        configs = _topic_configs(client, list(found))
        statuses = []
        for name in names:
            spec, required = wanted[name]
            info = found.get(name)
            if info is None:
                if required:
                    statuses.append(TopicStatus(name, False, None))
                continue
            partitions = info.get("partitions", [])
            differences = topic_differences(
                spec, settings, partitions, configs.get(name, {}), faust=not required
            )
            statuses.append(
                TopicStatus(name, True, len(partitions), differences=differences, required=required)
            )
        return statuses
    finally:
        if own:
            client.close()


def topic_ids(settings: Settings, names: list[str]) -> dict[str, str]:
    """Topic name -> the broker's topic id (KIP-516) for the names that exist. A topic deleted
    and created again keeps its name but not its id."""
    client = admin_client(settings)
    try:
        return {
            str(info.get("name")): str(info["topic_id"])
            for info in client.describe_topics(names)
            if not info.get("error_code") and info.get("topic_id")
        }
    finally:
        client.close()


_CHECKED_CONFIGS = ("cleanup.policy", "max.message.bytes", "retention.ms")


def _topic_configs(client: KafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    """The effective value (set on the topic or inherited from the broker) of the configs the
    check compares, per topic."""
    if not names:
        return {}
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, configs=dict.fromkeys(_CHECKED_CONFIGS))
        for name in names
    ]
    described = client.describe_configs(resources, config_filter="all").get("topic", {})
    return {
        name: {key: str(entry.get("value")) for key, entry in entries.items()}
        for name, entries in described.items()
    }


def topic_differences(
    spec: TopicSpec,
    settings: Settings,
    partitions: Iterable[Mapping[str, Any]],
    configs: Mapping[str, str],
    faust: bool = False,
) -> tuple[str, ...]:
    """What differs between a topic on the broker and what `spec` needs, one sentence each.

    Partitions must match (the window table is co-partitioned with the payment topics); fewer
    replicas than DINARWATCH_REPLICATION_FACTOR, the wrong cleanup policy, a smaller record
    limit or a shorter retention are differences; more of any of them is fine. For Faust's own
    topics only the partitions and the changelog's compaction are checked (Faust sets the rest).
    """
    parts = list(partitions)
    want_partitions = spec.partitions or settings.topic_partitions
    differences = []
    if len(parts) != want_partitions:
        differences.append(
            f"{len(parts)} partitions, needs {want_partitions} (DINARWATCH_TOPIC_PARTITIONS); "
            "recreate it or set the partitions to match"
        )
    # kafka-python 3 calls the replica list "replica_nodes", 2.x "replicas"
    replicas = min((len(p.get("replica_nodes", p.get("replicas", ()))) for p in parts), default=0)
    if parts and replicas < settings.replication_factor:
        differences.append(
            f"replication factor {replicas}, needs {settings.replication_factor} "
            "(DINARWATCH_REPLICATION_FACTOR)"
        )
    policy = configs.get("cleanup.policy")
    if policy is not None:
        policies = set(policy.split(","))
        wanted_policy = spec.kafka_configs(settings.max_record_bytes)["cleanup.policy"]
        if spec.compacted and policies != set(wanted_policy.split(",")):
            differences.append(
                f"cleanup.policy={policy}, needs compact (records must be kept, latest per key)"
            )
        elif not spec.compacted and "compact" in policies:
            differences.append(
                f"cleanup.policy={policy}, needs delete (compaction would drop records that "
                "share a key)"
            )
    if faust:
        return tuple(differences)
    wanted = spec.kafka_configs(settings.max_record_bytes)
    for key in ("max.message.bytes", "retention.ms"):
        if key not in wanted or configs.get(key) is None:
            continue
        have, need = int(configs[key]), int(wanted[key])
        if key == "retention.ms" and have < 0:
            continue  # -1: kept forever
        if have < need:
            differences.append(f"{key}={have:,}, needs at least {need:,}")
    return tuple(differences)
