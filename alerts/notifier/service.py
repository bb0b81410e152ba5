"""The notifier loop: alerts topic -> dedupe -> group -> channels, with retries and parking.

Why an aiokafka loop and not a Faust agent: the notifier must commit an offset only after every
channel has taken the alert or the alert has been parked, must hold a grouping window across
records, and must be free to wait minutes on a dead SMTP server. A plain consumer with manual
commits says exactly that; a Faust agent acks per event and would need its own commit
bookkeeping around Faust's. It is a separate process, so a slow channel never slows screening.

Two consumers in one process:
  main   `alerts`        batch for `group_window_seconds` -> dedupe -> deliver -> park failures
                         -> commit
  retry  `alerts.retry`  wait until a parked record is due -> deliver to the channels it still
                         owes -> park again (doubling delay) on failure -> commit
A record is committed only after delivery or (re)parking, so an alert is never dropped; a crash
between delivery and commit redelivers (at-least-once), and the alert_id dedupe keeps that to
the window between the two.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError
from pydantic import ValidationError

from alerts.notifier.channels import Channel, DeliveryError
from alerts.notifier.dedupe import TTLSet
from alerts.notifier.formats import AlertGroup, group_alerts, split_group
from alerts.notifier.retry import Parked, backoff
from alerts.notifier.settings import NotifierSettings
from infra import topics as names
from infra.kafka_clients import aio_consumer, aio_producer
from infra.metrics import NotifierMetrics
from infra.settings import Settings
from schemas.alert import Alert

log = logging.getLogger("dinarwatch.notifier")

RETRY_TOPIC = names.ALERTS_RETRY


@dataclass
class Outstanding:
    """An alert and the channels that still owe it, after one dispatch."""

    alert: Alert
    channels: set[str]
    error: str
    parked_before: int


class Notifier:
    def __init__(
        self,
        settings: Settings,
        notify: NotifierSettings,
        channels: list[Channel],
        metrics: NotifierMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.notify = notify
        self.channels = {c.name: c for c in channels}
        self.metrics = metrics
        self.clock = clock
        self.alerts_topic = settings.topic(names.ALERTS)
        self.retry_topic = settings.topic(RETRY_TOPIC)
        self.seen = TTLSet(notify.dedupe_ttl_seconds, notify.dedupe_max_entries)
        self.stopping = asyncio.Event()
        self.producer: AIOKafkaProducer | None = None
        metrics.init_channels(list(self.channels))

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> None:
        """Run both loops until stop(); close clients on the way out (uncommitted = redone)."""
        self.producer = aio_producer(self.settings, "notifier", acks="all")
        main_group, retry_group = self.group_ids()
        main = self._consumer(self.alerts_topic, main_group)
        retry = self._consumer(self.retry_topic, retry_group)
        await self.producer.start()
        await main.start()
        await retry.start()
        log.info("notifier ready: channels=%s topic=%s", list(self.channels), self.alerts_topic)
        tasks = [
            asyncio.create_task(self._main_loop(main), name="notify-main"),
            asyncio.create_task(self._retry_loop(retry), name="notify-retry"),
        ]
        try:
            await self._until_stopped(tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await main.stop()
            await retry.stop()
            await self.producer.stop()
            for channel in self.channels.values():
                await channel.close()

    async def _until_stopped(self, tasks: list[asyncio.Task[None]]) -> None:
        """Return on stop(); re-raise if a loop died, so the process exits non-zero."""
        stop = asyncio.create_task(self.stopping.wait())
        done, _ = await asyncio.wait([stop, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        for task in done:
            if task is not stop and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    def stop(self) -> None:
        self.stopping.set()

    def group_ids(self) -> tuple[str, str]:
        """The main and retry consumer groups, prefixed like the topics: deployments sharing a
        cluster under different DINARWATCH_TOPIC_PREFIX values never steal each other's alerts."""
        group = self.settings.topic(self.notify.group_id)
        return group, f"{group}-retry"

    def _consumer(self, topic: str, group: str) -> AIOKafkaConsumer:
        # A parked record may be waited on for park_max_delay_seconds between polls.
        poll_ms = int((self.notify.park_max_delay_seconds + 300) * 1000)
        return aio_consumer(
            self.settings,
            "notifier",
            topic,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=poll_ms,
            # never notify about an alert from an aborted transaction (exactly_once producers)
            isolation_level="read_committed",
        )

    # -- main loop -------------------------------------------------------------------------

    async def _main_loop(self, consumer: AIOKafkaConsumer) -> None:
        while not self.stopping.is_set():
            records = await self._collect(consumer)
            if not records:
                continue
            fresh = self._fresh_alerts(records)
            if fresh:
                plan = {name: fresh for name in self.channels}
                await self._dispatch(plan, dict.fromkeys((a.alert_id for a in fresh), 0))
            await self._commit(consumer, records)
            for alert in fresh:
                self.seen.add(alert.alert_id)

    async def _collect(self, consumer: AIOKafkaConsumer) -> list[Any]:
        """Records of one grouping window: from the first record, keep reading for
        `group_window_seconds` (or until `max_batch`), so a burst becomes one batch."""
        limit = self.notify.max_batch
        records = _flatten(await consumer.getmany(timeout_ms=1000, max_records=limit))
        if not records:
            return []
        deadline = time.monotonic() + self.notify.group_window_seconds
        while len(records) < limit and not self.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            more = await consumer.getmany(
                timeout_ms=int(remaining * 1000) + 1, max_records=limit - len(records)
            )
            records.extend(_flatten(more))
        return records

    def _fresh_alerts(self, records: list[Any]) -> list[Alert]:
        """Decode, and drop alert ids already notified (or repeated within this batch)."""
        fresh: list[Alert] = []
        batch_ids: set[str] = set()
        for record in records:
            self.metrics.consumed.labels("alerts").inc()
            alert = self._decode(record)
            if alert is None:
                continue
            if alert.alert_id in batch_ids or alert.alert_id in self.seen:
                self.metrics.duplicates.inc()
                continue
            batch_ids.add(alert.alert_id)
            fresh.append(alert)
        return fresh

    def _decode(self, record: Any) -> Alert | None:
        try:
            return Alert.model_validate_json(record.value or b"")
        except ValidationError as exc:
            self.metrics.invalid.inc()
            log.error(
                "skipping invalid alert %s[%d]@%d: %s",
                record.topic,
                record.partition,
                record.offset,
                str(exc)[:300],
            )
            return None

    # -- retry loop ------------------------------------------------------------------------

    async def _retry_loop(self, consumer: AIOKafkaConsumer) -> None:
        while not self.stopping.is_set():
            batch = await consumer.getmany(timeout_ms=1000, max_records=self.notify.max_batch)
            records = _flatten(batch)
            if not records:
                continue
            parked = [(r, Parked.from_headers(r.headers)) for r in records]
            if not await self._wait_until(max(p.not_before for _, p in parked)):
                return  # stopping: leave them uncommitted, the next run retries them
            plan: dict[str, list[Alert]] = defaultdict(list)
            counts: dict[str, int] = {}
            for record, info in parked:
                self.metrics.consumed.labels("retry").inc()
                alert = self._decode(record)
                if alert is None:
                    continue
                counts[alert.alert_id] = info.count
                for channel in info.channels:
                    plan[channel].append(alert)
            await self._dispatch(plan, counts)
            await self._commit(consumer, records)

    async def _wait_until(self, due: float) -> bool:
        """Sleep until `due` (epoch seconds); False if asked to stop meanwhile."""
        wait = due - self.clock()
        if wait > 0:
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=wait)
            except TimeoutError:
                return True
            return False
        return not self.stopping.is_set()

    # -- delivery --------------------------------------------------------------------------

    async def _dispatch(self, plan: dict[str, list[Alert]], parked_before: dict[str, int]) -> None:
        """Deliver each channel's alerts (channels in parallel, groups in order), then park
        whatever a channel could not take, one parked record per alert naming its channels."""
        jobs = [self._deliver_channel(name, alerts) for name, alerts in plan.items() if alerts]
        outstanding: dict[str, Outstanding] = {}
        for name, failures in zip(
            [n for n, a in plan.items() if a], await asyncio.gather(*jobs), strict=True
        ):
            for alert, error in failures:
                item = outstanding.setdefault(
                    alert.alert_id,
                    Outstanding(alert, set(), error, parked_before.get(alert.alert_id, 0)),
                )
                item.channels.add(name)
        await self._park(list(outstanding.values()))

    async def _deliver_channel(self, name: str, alerts: list[Alert]) -> list[tuple[Alert, str]]:
        """Deliver group by group (a group larger than the channel's message limit as several
        parts, each sent and retried on its own); return the alerts that failed, with the
        last error."""
        channel = self.channels.get(name)
        failed: list[tuple[Alert, str]] = []
        limit = channel.max_per_message if channel is not None else None
        parts = [part for group in group_alerts(alerts) for part in split_group(group, limit)]
        for group in parts:
            error: str | None
            if channel is None:
                error = f"channel {name!r} is not configured in this notifier"
            else:
                error = await self._send_with_retries(channel, group)
            if error is not None:
                failed.extend((alert, error) for alert in group.alerts)
        return failed

    async def _send_with_retries(self, channel: Channel, group: AlertGroup) -> str | None:
        """Up to `attempts` tries with exponential backoff; None on success, else the error."""
        error = ""
        for attempt in range(1, self.notify.attempts + 1):
            started = time.perf_counter()
            try:
                await channel.send(group)
            except DeliveryError as exc:
                error = str(exc)
                log.warning("%s attempt %d failed: %s", channel.name, attempt, error[:300])
            else:
                self._observe(channel.name, started)
                self.metrics.record_notification(channel.name, "delivered", group.count)
                self.metrics.messages.labels(channel.name).inc()
                return None
            self._observe(channel.name, started)
            if attempt < self.notify.attempts:
                self.metrics.record_notification(channel.name, "retried", group.count)
                n = self.notify
                await asyncio.sleep(backoff(attempt, n.backoff_base_seconds, n.backoff_max_seconds))
        return error or "delivery failed"

    def _observe(self, channel: str, started: float) -> None:
        self.metrics.delivery_seconds.labels(channel).observe(time.perf_counter() - started)

    async def _park(self, items: list[Outstanding]) -> None:
        """Put each undelivered alert on alerts.retry and wait for the broker's ack: only then
        may the source offset be committed."""
        if not items:
            return
        assert self.producer is not None
        sends = []
        for item in items:
            count = item.parked_before + 1
            n = self.notify
            delay = backoff(count, n.park_delay_seconds, n.park_max_delay_seconds)
            info = Parked(tuple(sorted(item.channels)), count, self.clock() + delay, item.error)
            sends.append(
                self.producer.send_and_wait(
                    self.retry_topic,
                    value=item.alert.model_dump_json().encode(),
                    key=item.alert.alert_id.encode(),
                    headers=info.headers(),
                )
            )
            for channel in item.channels:
                self.metrics.record_notification(channel, "parked")
        await asyncio.gather(*sends)
        log.warning("parked %d alert(s) on %s", len(items), self.retry_topic)

    async def _commit(self, consumer: AIOKafkaConsumer, records: list[Any]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:  # rebalanced meanwhile: the new owner redoes them
            log.warning("commit failed after a rebalance (records will be redelivered): %s", exc)


def _flatten(batch: dict[Any, list[Any]]) -> list[Any]:
    return [record for records in batch.values() for record in records]
