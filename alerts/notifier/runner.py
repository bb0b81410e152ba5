"""Start the notifier process: settings -> channels -> metrics server -> loops until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from alerts.notifier.channels import channels_from_settings
from alerts.notifier.service import RETRY_TOPIC, Notifier
from alerts.notifier.settings import NotifierSettings
from alerts.notifier.web import start_web_server
from infra import topics as names
from infra.errors import ConfigError
from infra.metrics import NotifierMetrics
from infra.settings import Settings

log = logging.getLogger("dinarwatch.notifier")

RETRY_RETENTION_MS = str(30 * 86400 * 1000)


def ensure_retry_topic(settings: Settings) -> None:
    """Create `alerts.retry` if it is missing: parking must never fail for want of a topic.
    Same partition count as `alerts`, 30 days' retention (parked alerts wait for people)."""
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    name = settings.topic(RETRY_TOPIC)
    from infra.kafka_clients import kafka_admin

    admin = kafka_admin(settings, "notifier")
    try:
        if name in admin.list_topics():
            return
        topic = NewTopic(
            name,
            num_partitions=settings.topic_partitions,
            replication_factor=settings.replication_factor,
            topic_configs={"retention.ms": RETRY_RETENTION_MS},
        )
        try:
            admin.create_topics([topic])
            log.info("created topic %s", name)
        except TopicAlreadyExistsError:
            pass
    finally:
        admin.close()


NO_CHANNEL = (
    "no notification channel configured: set DINARWATCH_NOTIFY_ALERTMANAGER_URL, "
    "DINARWATCH_NOTIFY_WEBHOOK_URL or DINARWATCH_NOTIFY_SMTP_HOST"
)


def run_notifier(settings: Settings, notify: NotifierSettings) -> None:
    """Run until SIGTERM/SIGINT; exits non-zero if no channel is configured."""
    channels = channels_from_settings(notify, settings.topic(names.RAW))
    if not channels:
        raise ConfigError(NO_CHANNEL)
    metrics = NotifierMetrics()
    health = {"status": "ok", "channels": [c.name for c in channels]}
    start_web_server(notify.web_port, notify.web_bind, metrics.registry, health)
    ensure_retry_topic(settings)
    notifier = Notifier(settings, notify, channels, metrics)
    log.info(
        "starting notifier: broker=%s metrics=http://%s:%d/metrics",
        settings.kafka_bootstrap,
        notify.web_bind,
        notify.web_port,
    )
    asyncio.run(_serve(notifier))


async def _serve(notifier: Notifier) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, notifier.stop)
    await notifier.run()
