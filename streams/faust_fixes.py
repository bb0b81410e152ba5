"""Two fixes to faust-streaming 0.15.3 that stop a restarted worker from losing payments.

Found by tests/integration/test_faults.py::test_worker_sigkill_mid_batch, which failed in CI
(252 of 3,000 payments without a decision) and in 2 of 7 local runs: after a SIGKILL and a
restart, a run of records in one raw partition never reached the agent, and the consumer
committed past them. Two Faust defects combine:

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
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, cast

import faust
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers import aiokafka as faust_aiokafka


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


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class SafeRecovery(Recovery):
    """Faust's recovery with the stream partitions resumed only after the seek (fix 1)."""

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
    """faust.App with both fixes: the complete seek (consumer) and seek-before-resume
    (table recovery). See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("TableManager", SafeTableManager)
        super().__init__(*args, **kwargs)

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
