"""The Faust application: topics, agents and web pages, wired around the pure core.

Two agents (the per-record work is in streams/pipeline.py):
  ingest  payments.raw   -> parse + validate -> screen here when the record already sits in its
                            debtor's partition (fast path), else payments.valid | payments.dlq
  screen  payments.valid -> rules/           -> payments.decisions + alerts
The hop through payments.valid repartitions by debtor, so the windowed rules see all of one
debtor's payments in one partition, and it is durable: a crash between the agents loses nothing.
Offsets are committed only after the producer has flushed what the agent sent (Faust flushes
before it commits, and a batch is acknowledged only once all of it is handled), which makes the
pipeline at-least-once; alert ids are deterministic, so a replayed record yields the same alert
id and downstream dedupes it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from infra import topics as names
from infra.admin import topic_ids
from infra.kafka_clients import faust_broker_options
from infra.memory import register_malloc_trim, register_memory_metrics
from infra.settings import Settings
from streams.exceptions_follow import register_exceptions
from streams.faust_fixes import App
from streams.lag import register_lag_monitor
from streams.monitor import QuietMonitor
from streams.partitioner import default_partitioner
from streams.pipeline import KafkaSink, Pipeline, Topics
from streams.rescreen import register_rescreen
from streams.runtime import WorkerRuntime
from streams.watchlists import register_watchlists
from streams.web import locked_web_options
from streams.window_store import TableWindows, register_store_reset_metric, window_table

log = logging.getLogger("dinarwatch.worker")


def create_app(settings: Settings, runtime: WorkerRuntime) -> faust.App:
    """A Faust app with the dinarwatch agents registered."""
    app = App(
        names.faust_app_id(settings),  # carries the topic prefix: group and Faust's topics
        broker=f"kafka://{settings.kafka_bootstrap}",
        store=settings.table_store,
        table_standby_replicas=settings.table_standby_replicas,
        # one folder per app id: state built from another deployment's changelog (another
        # prefix or app id on the same data dir) is never loaded
        datadir=str(settings.data_dir / names.faust_app_id(settings)),
        autodiscover=False,
        web_port=settings.web_port,
        web_bind=settings.web_bind,
        web_host=settings.web_bind,
        web_enabled=True,
        **locked_web_options(),  # /metrics and /health only (streams/web.py)
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
        # murmur2 as Kafka's default partitioner computes it, without the per-byte Python loop
        producer_partitioner=default_partitioner,
        **faust_broker_options(settings),
    )
    app.changelog_topic_ids = lambda topics: topic_ids(settings, topics)  # faust_fixes fix 3
    if settings.faust_monitor == "quiet":
        app.monitor = QuietMonitor()
    _register(app, settings, runtime)
    register_lag_monitor(app, settings, runtime.metrics)
    register_malloc_trim(app, settings.malloc_trim_seconds)
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


def _screened_topic(app: faust.App, settings: Settings) -> Any:
    """payments.screened as `topics create` makes it (compact,delete, 31 days), should the
    worker be the one to create it."""
    return app.topic(
        settings.topic(names.SCREENED),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        compacting=True,
        deleting=True,
        retention=timedelta(days=names.SCREENED_RETENTION_DAYS),
    )


def _register(app: faust.App, settings: Settings, runtime: WorkerRuntime) -> None:
    raw = _raw_topic(app, settings, names.RAW)
    valid = _raw_topic(app, settings, names.VALID)
    outputs = [valid] + [
        _raw_topic(app, settings, n) for n in (names.DLQ, names.DECISIONS, names.ALERTS)
    ]
    topics = Topics(*(t.get_topic_name() for t in outputs))
    if settings.rescreen_days > 0:
        screened = _screened_topic(app, settings)
        outputs.append(screened)
        topics.screened = screened.get_topic_name()
    metrics = runtime.metrics
    # Window state per debtor, co-partitioned with payments.valid and payments.raw (same key,
    # same partition count); the changelog topic makes it survive crashes and move with
    # rebalances. Keys are debtor keys (str), values the window as JSON-ready dicts.
    windows = window_table(
        app, names.WINDOW_TABLE, settings.topic_partitions, rocksdb_options(settings)
    )
    register_memory_metrics(metrics.registry, windows)
    register_store_reset_metric(app, metrics.registry, (windows.name,))
    pipeline = Pipeline(settings, runtime, topics, TableWindows(windows), KafkaSink(app, outputs))

    batch, within = settings.batch_max_records, settings.batch_max_wait_ms / 1000

    @app.agent(raw, name="ingest")
    async def ingest(stream: Any) -> None:
        async for events in stream.take_events(batch, within=within):
            _check_raw_partitions(app, settings, pipeline)
            await pipeline.ingest_batch(events)

    @app.agent(valid, name="screen")
    async def screen(stream: Any) -> None:
        async for events in stream.take_events(batch, within=within):
            await pipeline.screen_batch(events)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        body = generate_latest(metrics.registry)
        return web.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        ctx = runtime.context
        manifests = {n: dict(r.manifest) for n, r in ctx.lists.lists.items() if r.manifest}
        return web.json(
            {
                "status": "ok",
                "rule_pack": ctx.pack.version,
                "lists": ctx.lists.versions(),
                "list_manifests": manifests,  # where each version came from (lists fetch)
            }
        )

    reloader = register_watchlists(app, settings, runtime)
    register_rescreen(app, settings, runtime, reloader)
    register_exceptions(app, settings, runtime)


def _check_raw_partitions(app: faust.App, settings: Settings, pipeline: Pipeline) -> None:
    """Screening at ingest needs payments.raw partitioned like payments.valid."""
    if not pipeline.fast_path_enabled:
        return
    count = app.consumer.topic_partitions(settings.topic(names.RAW))
    if count is not None and count != settings.topic_partitions:
        pipeline.disable_fast_path(
            f"{settings.topic(names.RAW)} has {count} partitions, the window table "
            f"{settings.topic_partitions}; every payment goes through {names.VALID}"
        )


def rocksdb_options(settings: Settings) -> dict[str, int]:
    """Bounded RocksDB memory for the window table (Faust's defaults are sized for servers with
    gigabytes to spare: 3 x 64 MiB memtables and a 2 GiB block cache per partition). The block
    cache size is the one cache all partitions share (streams/window_store.py)."""
    mib = 1024 * 1024
    return {
        "write_buffer_size": settings.rocksdb_write_buffer_mib * mib,
        "max_write_buffer_number": 2,
        "target_file_size_base": 16 * mib,
        "block_cache_size": settings.rocksdb_block_cache_mib * mib,
    }
