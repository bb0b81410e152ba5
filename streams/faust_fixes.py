"""Fixes to faust-streaming 0.15.3: a restarted worker loses no payments, and heals local
table state that does not belong to the changelog.

Fixes 1 and 2 were found by tests/integration/test_faults.py::test_worker_sigkill_mid_batch,
which failed in CI (252 of 3,000 payments without a decision) and in 2 of 7 local runs: after a
SIGKILL and a restart, a run of records in one raw partition never reached the agent, and the
consumer committed past them. Two Faust defects combine:

1. Resume before seek. When table recovery ends, `Recovery.on_recovery_completed` resumes
   the stream partitions, then awaits `perform_seek()` (back to the committed offsets), then
   resumes flow control, which clears the stream queues. Flow is already running at that point
   (recovery turned it on to read the changelog), so records are fetched and handed to the
   queues while the seek is still in flight; the drain loop moves its read offset past them;
   the clear then throws them away, and the refetch after the seek drops every record below
   that read offset as "already read". `_resume_streams`, Faust's path for apps without
   tables, was fixed upstream (faust-streaming PR #217) to keep flow stopped until the seek is
   done; the table path was not. `SafeRecovery` seeks first, clears, and only then resumes
   the stream partitions, so no stream record is fetched before its partition is in place.

2. Incomplete seek. Faust's seek is aiokafka's `seek_to_committed()`, which only seeks a
   partition whose committed offset is above 0 (`if offset and offset > 0`). A partition with
   no commit yet (a new topic, or a worker killed before its first commit) keeps its fetch
   position, so records fetched and then dropped before the seek (Faust drops records of
   partitions paused while a fetch was in flight) are never fetched again.
   `seek_to_committed_or_reset` puts such partitions where `consumer_auto_offset_reset` says
   a fresh consumer starts (earliest here). Changelog partitions are left alone: table
   recovery positions them itself.

3. Foreign local state. A RocksDB partition remembers the last changelog offset it applied.
   When the changelog no longer holds that offset (the broker's storage was reset, the
   changelog topic was deleted and recreated), `Recovery._restart_recovery` raises
   `ConsistencyError` ("The persisted offset for changelog topic partition ... is higher than
   the last offset") and the worker dies; restarted on the same data directory it dies again.
   When the new changelog has already grown past that offset, Faust says nothing and resumes
   the old state at an offset of another topic. Such state cannot be trusted, so
   `SafeRecovery._build_offsets` discards the partition's local store before Faust compares
   offsets, and recovery rebuilds it from the changelog: when the persisted offset lies beyond
   the changelog's end, or when the partition was built from a changelog topic with another
   topic id (recorded beside the store, `<partition>.db.changelog-id`; a recreated topic gets
   a new id). One warning per partition; `App.store_reset_listeners` are told (the worker
   counts them in `dinarwatch_table_store_resets_total`). Found by issue 13 (`make demo` on a
   fresh clone with committed RocksDB state); tests: tests/unit/streams/test_faust_fixes.py
   and tests/integration/test_state_heal.py.

4. Auto-created topics. aiokafka 0.14 (which Faust uses) has no `allow_auto_create_topics`
   option: every metadata request it sends (`AIOKafkaClient._metadata_update`) asks the broker
   to create the topics it names, so a worker started before `dinarwatch topics create`, or
   with a mistyped prefix, made `payments.*` topics with the broker's defaults (delete policy,
   1 MiB records) and carried on. `forbid_topic_auto_creation` makes aiokafka's requests say
   no, as kafka-python's `allow_auto_create_topics=False` does; Faust still creates its own
   topics with CreateTopics. Found by issue 13; test: tests/integration/test_topic_prefix.py.

5. Per-record tasks in the drain loop (a cost, not a defect). Faust's consumer hands every
   fetched record to the conductor under `wait_first`, four tasks made and three cancelled per
   record. `_Consumer._drain_messages` races flow suspension once per fetched batch instead,
   with the same per-record order and checks; the delivery guarantee is unchanged
   (docs/delivery.md), and the fault tests run with it.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.metadata
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import aiokafka.client
import faust
from aiokafka import AIOKafkaConsumer
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.structs import TopicPartition
from faust.stores.rocksdb import Store as RocksDBStore
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as faust_aiokafka

from infra.errors import ConfigError

PATCHED_FAUST_VERSION = "0.15.3"
"""The faust-streaming release whose internals these fixes replace; pyproject.toml and
requirements.lock pin it."""


def check_faust_version(installed: str | None = None) -> None:
    """Refuse to start on another faust-streaming: the fixes override private methods
    (recovery, the consumer thread's seek, the RocksDB store), so on another release they
    could silently undo a fix or break recovery. One line says what to install."""
    version = installed or importlib.metadata.version("faust-streaming")
    if version != PATCHED_FAUST_VERSION:
        raise ConfigError(
            f"faust-streaming {version} is installed, but streams/faust_fixes.py patches "
            f"{PATCHED_FAUST_VERSION}: install the pinned versions "
            f"(pip install -r requirements.lock, or make install)"
        )


async def seek_to_committed_or_reset(
    consumer: AIOKafkaConsumer, reset: str, skip_topics: Iterable[str] = ()
) -> Mapping[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset, and those without one (or with
    0, which aiokafka also skips) to the reset position. Returns the committed offsets, as
    aiokafka's `seek_to_committed` does (None where nothing is committed)."""
    committed: Mapping[TopicPartition, int | None] = await consumer.seek_to_committed()
    skip = set(skip_topics)
    unset = [tp for tp, offset in committed.items() if not offset and tp.topic not in skip]
    if unset:
        if reset == "latest":
            await consumer.seek_to_end(*unset)
        else:
            await consumer.seek_to_beginning(*unset)
    return committed


class _NoAutoCreateMetadataRequest(MetadataRequest):  # type: ignore[misc]
    """aiokafka's MetadataRequest, asking the broker not to create missing topics."""

    def __init__(
        self, topics: list[str] | None = None, allow_auto_topic_creation: bool | None = False
    ) -> None:
        super().__init__(topics, allow_auto_topic_creation)


def forbid_topic_auto_creation() -> None:
    """Make every aiokafka client in this process ask for metadata without auto-creation
    (fix 4). Idempotent."""
    cast(Any, aiokafka.client).MetadataRequest = _NoAutoCreateMetadataRequest


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    async def seek_to_committed(self) -> Mapping[Any, int]:
        offsets: Mapping[Any, int] = await self.call_thread(
            seek_to_committed_or_reset,
            self._ensure_consumer(),
            self.app.conf.consumer_auto_offset_reset,
            self.app.tables.changelog_topics,
        )
        return offsets


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover (worker loop)
        """Faust's drain loop (fix 5), racing flow suspension once per fetched batch.

        Faust hands each fetched record to the conductor under `wait_first(callback(message),
        suspend_flow.wait())`, so that a delivery blocked on a full stream queue or on flow
        control gives way when a rebalance suspends flow. `wait_first` makes four tasks per
        call (the callback, suspend_flow, stopped and crashed) and cancels three: per record
        that is most of what the drain loop costs. Here one task delivers a whole fetched batch
        record by record, in Faust's order and with Faust's per-record checks (read offset,
        gaps, commit_every), and that task races suspend_flow, stop and crash. When flow is
        suspended the task is cancelled where it waits, as Faust cancels the callback, and the
        rest of the batch is not delivered, as Faust's getmany stops yielding once flow is
        inactive; the seek that follows every suspension rewinds the read offsets to the
        committed ones."""
        getmany = self.getmany
        consumer_should_stop = cast(Any, self)._stopped.is_set
        fetcher_should_stop = fetcher._stopped.is_set
        flag_consumer_fetching = faust_consumer.CONSUMER_FETCHING
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(flag_consumer_fetching)
                records = getmany(timeout=1.0)
                await self.sleep(0)
                if not self.should_stop:
                    await self.wait_first(self._deliver(records), self.suspend_flow.wait())
                unset_flag(flag_consumer_fetching)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(flag_consumer_fetching)

    async def _deliver(self, records: Any) -> None:
        """Hand each record of one fetch to the conductor (the body of Faust's drain loop)."""
        callback = self.callback
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        since_yield = 0
        try:
            async for tp, message in records:
                since_yield += 1
                if since_yield > 100:
                    await asyncio.sleep(0)
                    since_yield = 0
                offset = message.offset
                r_offset = get_read_offset(tp)
                if r_offset is None or offset >= r_offset:
                    gap = offset - (r_offset or 0)
                    if gap > 1 and r_offset and acks_enabled_for(message.topic):
                        await self._add_gap(tp, r_offset + 1, offset)
                    if commit_every is not None and self._n_acked >= commit_every:
                        self._n_acked = 0
                        await self.commit()
                    await callback(message)
                    set_read_offset(tp, offset)
        finally:
            await records.aclose()  # a batch cut short by suspended flow fetches no further


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


def discard_partition(store: Any, partition: int) -> bool:
    """Close and delete one partition of a RocksDB table store, then open it again empty.
    Returns False for other stores (memory://), which keep nothing across restarts."""
    if not isinstance(store, RocksDBStore):
        return False
    db = store._dbs.pop(partition, None)
    if db is not None and hasattr(db, "close"):
        db.close()  # releases RocksDB's LOCK before the files go
    del db
    gc.collect()
    for key in [k for k, p in store._key_index.items() if p == partition]:
        store._key_index.pop(key, None)
    shutil.rmtree(store.partition_path(partition), ignore_errors=True)
    store._db_for_partition(partition)
    return True


def _topic_id_path(store: Any, partition: int) -> Path:
    path: Path = store.partition_path(partition)
    return path.with_name(f"{path.name}.changelog-id")


def recorded_topic_id(store: Any, partition: int) -> str | None:
    """The id of the changelog topic a RocksDB partition was built from (None: not known)."""
    if not isinstance(store, RocksDBStore):
        return None
    try:
        return _topic_id_path(store, partition).read_text().strip() or None
    except OSError:
        return None


def record_topic_id(store: Any, partition: int, topic_id: str) -> None:
    """Remember which changelog topic (by id, which a recreated topic does not keep) the
    partition is built from, beside RocksDB's own files."""
    if isinstance(store, RocksDBStore):
        path = _topic_id_path(store, partition)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(topic_id + "\n")


TopicIds = Callable[[list[str]], Mapping[str, str]]
"""Topic name -> topic id, for the names the broker knows (blocking; run in a thread)."""


class SafeRecovery(Recovery):
    """Faust's recovery with the stream partitions resumed only after the seek (fix 1) and
    foreign local state discarded instead of a ConsistencyError (fix 3)."""

    async def _build_offsets(
        self, consumer: Any, tps: set[Any], destination: Any, title: str
    ) -> None:
        """Faust's, after discarding every partition whose state does not belong to its
        changelog: built from a changelog topic with another id (deleted and created again),
        or with a persisted offset beyond the changelog's last offset
        (`Recovery._restart_recovery` raises ConsistencyError there)."""
        ids = await self._changelog_topic_ids({tp.topic for tp in tps})
        held = [tp for tp in tps if destination[tp] is not None]
        highwaters = await consumer.highwaters(*held) if held else {}
        for tp in held:
            table: Any = self.tp_to_table[tp]
            high = highwaters.get(tp)
            last = high - 1 if high is not None else -1  # Faust's "last offset"
            recorded = recorded_topic_id(table.data, tp.partition)
            current = ids.get(tp.topic)
            if recorded and current and recorded != current:
                reason = f"built from an earlier topic of that name (id {recorded}, now {current})"
            elif destination[tp] > last:
                reason = f"persisted offset {destination[tp]}, changelog ends at {last}"
            else:
                continue
            if self._discard(tp, reason):
                destination[tp] = None  # read the changelog from its start
        for tp in tps:
            if ids.get(tp.topic):
                store = cast(Any, self.tp_to_table[tp]).data
                record_topic_id(store, tp.partition, ids[tp.topic])
        await super()._build_offsets(consumer, tps, destination, title)

    async def _changelog_topic_ids(self, topics: set[str]) -> Mapping[str, str]:
        lookup: TopicIds | None = getattr(self.app, "changelog_topic_ids", None)
        if lookup is None or not topics:
            return {}
        try:
            return await asyncio.to_thread(lookup, sorted(topics))
        except Exception as exc:  # the offset check still applies
            self.log.warning("Could not read changelog topic ids: %s", exc)
            return {}

    def _discard(self, tp: Any, reason: str) -> bool:
        table: Any = self.tp_to_table[tp]
        if not discard_partition(table.data, tp.partition):
            return False
        self.log.warning(
            "Local state of %s partition %d does not belong to its changelog (%s): "
            "discarded, rebuilding from the changelog",
            tp.topic,
            tp.partition,
            reason,
        )
        for listener in getattr(self.app, "store_reset_listeners", ()):
            listener(table.name, tp.partition)
        return True

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        """As Faust's, but seek and clear the queues before any stream record is fetched."""
        consumer = self.app.consumer
        self.log.info("Restore complete!")
        await self.app.on_rebalance_complete.send()
        self._set_recovery_ended()
        await self._tables_recovered()
        if self.app.consumer_generation_id != generation_id:
            self.log.warning(
                "Recovery rebalancing again app id %s param %s",
                self.app.consumer_generation_id,
                generation_id,
            )
            return
        assignment = consumer.assignment()
        if assignment:
            self.log.info("Seek stream partitions to committed offsets.")
            await self._wait(consumer.perform_seek(), timeout=self.app.conf.broker_request_timeout)
        self.completed.set()
        self.app.flow_control.resume()  # clears the stream queues: nothing stale survives
        consumer.resume_flow()
        consumer.resume_partitions({tp for tp in assignment if not self._is_changelog_tp(tp)})
        await cast(Any, self.app)._fetcher.maybe_start()
        self.tables.on_actives_ready()
        if not self.app.assignor.assigned_standbys():
            self.tables.on_standbys_ready()
        self.app.on_rebalance_end()
        self.log.info("Worker ready")

    async def _tables_recovered(self) -> None:
        callbacks = [
            asyncio.ensure_future(
                table.on_recovery_completed(
                    self.actives_for_table[table], self.standbys_for_table[table]
                )
            )
            for table in self.tables.values()
        ]
        if callbacks:
            await asyncio.wait(callbacks)


class SafeTableManager(TableManager):
    """Faust's table manager with `SafeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SafeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


class App(faust.App):
    """faust.App with the fixes: the complete seek (consumer), seek-before-resume and foreign
    state discarded (table recovery). See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_faust_version()
        kwargs.setdefault("TableManager", SafeTableManager)
        super().__init__(*args, **kwargs)
        forbid_topic_auto_creation()
        # called with (table name, partition) when fix 3 discards a partition's local store
        self.store_reset_listeners: list[Callable[[str, int], None]] = []
        # fix 3 compares changelog topic ids when the worker provides this look-up
        self.changelog_topic_ids: TopicIds | None = None

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
