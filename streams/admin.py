"""Create and check the pipeline's topics with kafka-python's admin client (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.kafka_config import kafka_python_security
from streams.settings import Settings
from streams.topics import TOPICS


@dataclass(frozen=True)
class TopicStatus:
    """What the broker says about one of our topics."""

    name: str
    exists: bool
    partitions: int | None
    created: bool = False


def admin_client(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"{settings.app_id}-admin",
        request_timeout_ms=30_000,
        **kafka_python_security(settings),
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
        return statuses + check_topics(settings, admin, skip={s.name for s in statuses})
    finally:
        admin.close()


def check_topics(
    settings: Settings, admin: KafkaAdminClient | None = None, skip: set[str] | None = None
) -> list[TopicStatus]:
    """The state of every pipeline topic."""
    own = admin is None
    client = admin or admin_client(settings)
    try:
        names = [
            settings.topic(s.name) for s in TOPICS if settings.topic(s.name) not in (skip or set())
        ]
        described: list[dict[str, Any]] = client.describe_topics(names) if names else []
        statuses = []
        for info in described:
            ok = not info.get("error_code")
            # kafka-python 3 names the topic "name" (DescribeTopicPartitions), 2.x "topic"
            name = info.get("name") or info.get("topic") or "?"
            statuses.append(TopicStatus(name, ok, len(info.get("partitions", [])) if ok else None))
        return statuses
    finally:
        if own:
            client.close()
