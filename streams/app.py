"""The Faust application: topics, agents and web pages, wired around the pure core.

Two agents, one hop apart:
  ingest  payments.raw   -> parse + validate -> payments.valid (keyed by debtor) | payments.dlq
  screen  payments.valid -> rules/           -> payments.decisions + alerts
The hop through payments.valid repartitions by debtor, so the windowed rules see all of one
debtor's payments in one partition, and it is durable: a crash between the agents loses nothing.
Offsets are committed only after the producer has flushed what the agent sent (Faust flushes
before it commits), which makes the pipeline at-least-once; alert ids are deterministic, so a
replayed record yields the same alert id and downstream dedupes it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError

from alerts.record import alerts_for
from rules.session import screen_with_window
from rules.windows import DebtorWindow, debtor_key, windowed
from schemas.codec import dumps
from schemas.payment import Payment
from streams import topics as names
from streams.deadletter import Rejection, dead_letter_headers
from streams.ingest import content_type_of, decode_payments, implausible_time, partition_key
from streams.kafka_config import faust_broker_options
from streams.lag import register_lag_monitor
from streams.runtime import WorkerRuntime
from streams.settings import Settings
from streams.watchlists import register_watchlists

log = logging.getLogger("dinarwatch.worker")


def create_app(settings: Settings, runtime: WorkerRuntime) -> faust.App:
    """A Faust app with the dinarwatch agents registered."""
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store=settings.table_store,
        table_standby_replicas=settings.table_standby_replicas,
        datadir=str(settings.data_dir),
        autodiscover=False,
        web_port=settings.web_port,
        web_bind=settings.web_bind,
        web_host=settings.web_bind,
        web_enabled=True,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        producer_max_request_size=settings.max_record_bytes + 65_536,
        # Small fetches keep the agents interleaved (a 16 MiB fetch of raw backlog starves the
        # screen agent); a record larger than this is still returned whole by the broker.
        consumer_max_fetch_size=settings.consumer_max_fetch_bytes,
        broker_max_poll_records=settings.max_poll_records,
        producer_linger=settings.producer_linger_ms / 1000,
        **faust_broker_options(settings),
    )
    _register(app, settings, runtime)
    register_lag_monitor(app, settings, runtime.metrics)
    return app


def _raw_topic(app: faust.App, settings: Settings, name: str) -> Any:
    return app.topic(
        settings.topic(name),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        allow_empty=True,
    )


def _register(app: faust.App, settings: Settings, runtime: WorkerRuntime) -> None:
    max_future = timedelta(seconds=settings.max_future_skew_seconds)
    earliest = datetime.fromisoformat(settings.earliest_created_at)
    raw = _raw_topic(app, settings, names.RAW)
    valid = _raw_topic(app, settings, names.VALID)
    dlq = _raw_topic(app, settings, names.DLQ)
    decisions = _raw_topic(app, settings, names.DECISIONS)
    alerts = _raw_topic(app, settings, names.ALERTS)
    metrics = runtime.metrics
    # Window state per debtor, co-partitioned with payments.valid (same key, same partition
    # count); the changelog topic makes it survive crashes and move with rebalances.
    # Keys are debtor keys (str), values the window as JSON-ready dicts: Faust's tables use
    # the json codec for both the store and the changelog.
    windows = app.Table("debtor-windows", default=None, partitions=settings.topic_partitions)

    async def dead_letter(event: Any, rejection: Rejection) -> None:
        message = event.message
        headers = dead_letter_headers(
            rejection,
            list(message.headers or []),
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            rejected_at=datetime.now(UTC),
        )
        await dlq.send(key=message.key, value=message.value, headers=headers)
        metrics.record_dead_letter(rejection.reason)
        log.warning(
            "dead-lettered %s[%d]@%d: %s: %s",
            message.topic,
            message.partition,
            message.offset,
            rejection.reason,
            rejection.detail[:200],
        )

    @app.agent(raw, name="ingest")
    async def ingest(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            outcome = decode_payments(
                message.value,
                content_type_of(message.headers),
                settings.max_message_bytes,
                settings.xsd_dir,
            )
            if not isinstance(outcome, Rejection):
                outcome = (
                    implausible_time(outcome, datetime.now(UTC), max_future, earliest) or outcome
                )
            if isinstance(outcome, Rejection):
                await dead_letter(event, outcome)
                continue
            for payment in outcome:
                await valid.send(key=partition_key(payment), value=dumps(payment))

    @app.agent(valid, name="screen")
    async def screen(stream: Any) -> None:
        async for event in stream.events():
            try:
                payment = Payment.model_validate_json(event.message.value)
            except ValidationError as exc:
                await dead_letter(event, Rejection("internal-decode", str(exc)))
                continue
            await _screen_one(payment, windows, runtime, decisions, alerts)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        body = generate_latest(metrics.registry)
        return web.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        ctx = runtime.context
        return web.json(
            {"status": "ok", "rule_pack": ctx.pack.version, "lists": ctx.lists.versions()}
        )

    register_watchlists(app, settings, runtime)


def _load_window(stored: object) -> DebtorWindow | None:
    """Table values are the window as a JSON-ready dict (Faust's json codec decodes them)."""
    return DebtorWindow.model_validate(stored) if stored else None


async def _screen_one(
    payment: Payment, windows: Any, runtime: WorkerRuntime, decisions: Any, alerts: Any
) -> None:
    metrics = runtime.metrics
    started = time.perf_counter()
    now = datetime.now(UTC)
    ctx = runtime.context
    key = debtor_key(payment) if windowed(payment, ctx.pack) else None
    window = _load_window(windows.get(key)) if key is not None else None
    new_window, decision = screen_with_window(payment, ctx, now, window)
    if key is not None and new_window is not window and new_window is not None:
        windows[key] = new_window.model_dump(mode="json")
    raised = alerts_for(payment, decision, now)
    metrics.screening_seconds.observe(time.perf_counter() - started)
    await decisions.send(key=payment.payment_id.encode(), value=dumps(decision))
    for alert in raised:
        await alerts.send(key=alert.alert_id.encode(), value=dumps(alert))
        metrics.record_alert(alert)
    bank = (payment.debtor_agent.bic or "unknown")[:8]
    metrics.record_decision(decision, payment.message_type.value, payment.amount, bank)
    metrics.end_to_end_seconds.observe(
        max((datetime.now(UTC) - payment.created_at).total_seconds(), 0.0)
    )
