"""The worker's Faust app carries both restart fixes, and recovery seeks before it resumes.

The end-to-end proof is tests/integration/test_faults.py (SIGKILL, restart, every payment
decided once) and test_consumer_seek.py (the seek against a real broker). Here: the wiring,
and the order of operations in SafeRecovery, recorded on a stand-in consumer, since the race
it closes cannot be forced on demand against a real broker.
"""

from __future__ import annotations

import asyncio
from typing import Any

from streams import app as app_module
from streams.faust_fixes import App, SafeRecovery, SafeTableManager, _Consumer


def _app(tmp_path: Any) -> Any:
    return App("fixes-test", broker="kafka://127.0.0.1:1", datadir=str(tmp_path))


def test_worker_app_uses_safe_recovery_and_complete_seek(tmp_path: Any) -> None:
    assert app_module.App is App  # create_app builds this class
    app = _app(tmp_path)
    assert isinstance(app.tables, SafeTableManager)
    assert isinstance(app.tables.recovery, SafeRecovery)
    assert app.transport.Consumer is _Consumer


class _RecordingConsumer:
    """Stands in for Faust's consumer: records the calls recovery makes, in order."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def assignment(self) -> set[Any]:
        return {"raw-0", "changelog-0"}

    async def perform_seek(self) -> None:
        self.calls.append("seek")

    def resume_flow(self) -> None:
        self.calls.append("resume_flow")

    def resume_partitions(self, tps: set[Any]) -> None:
        self.calls.append(f"resume_partitions {sorted(tps)}")


def test_stream_partitions_resume_only_after_seek_and_queue_clear(tmp_path: Any) -> None:
    app = _app(tmp_path)
    calls: list[str] = []
    recovery: Any = app.tables.recovery
    app.consumer = _RecordingConsumer(calls)
    app.flow_control.resume = lambda: calls.append("clear_queues")
    recovery._is_changelog_tp = lambda tp: tp.startswith("changelog")

    async def run() -> None:
        async def nothing(*args: Any, **kwargs: Any) -> None:
            return None

        app.__dict__["_fetcher"] = type("Fetcher", (), {"maybe_start": staticmethod(nothing)})()
        app.on_rebalance_complete.send = nothing
        app.on_rebalance_end = lambda: None
        recovery._wait = lambda coro, timeout=None: coro
        await recovery.on_recovery_completed(app.consumer_generation_id)

    asyncio.run(run())
    assert calls == ["seek", "clear_queues", "resume_flow", "resume_partitions ['raw-0']"]


class _ChangelogEnds:
    """Stands in for Faust's consumer in `_build_offsets`: the changelog's offsets."""

    def __init__(self, highwater: int, earliest: int = 0) -> None:
        self.highwater, self.earliest = highwater, earliest

    async def highwaters(self, *tps: Any) -> dict[Any, int]:
        return {tp: self.highwater for tp in tps}

    async def earliest_offsets(self, *tps: Any) -> dict[Any, int]:
        return {tp: self.earliest for tp in tps}


def _table_with_state(tmp_path: Any, persisted: int) -> tuple[Any, Any, Any]:
    """A RocksDB-backed table whose partition 0 holds one key and `persisted` as its offset."""
    from faust.types import TP

    app = App("fixes-test", broker="kafka://127.0.0.1:1", datadir=str(tmp_path), store="rocksdb://")
    table: Any = app.Table("windows", partitions=1)
    tp = TP(table.changelog_topic_name, 0)
    table.data._db_for_partition(0).put(b"debtor", b"window")
    table.data.set_persisted_offset(tp, persisted)
    return app, table, tp


def _recover(app: Any, table: Any, tp: Any) -> tuple[Any, list[tuple[str, int]]]:
    """The app's recovery with `tp` active, and the list its store-reset listener fills."""
    resets: list[tuple[str, int]] = []
    app.store_reset_listeners.append(lambda name, partition: resets.append((name, partition)))
    recovery: Any = app.tables.recovery
    recovery.add_active(table, tp)
    return recovery, resets


def test_state_beyond_the_changelog_is_discarded_and_counted(tmp_path: Any) -> None:
    app, table, tp = _table_with_state(tmp_path, persisted=54)
    recovery, resets = _recover(app, table, tp)
    assert recovery.active_offsets[tp] == 54

    # an empty changelog (recreated topic, reset broker): Faust raised ConsistencyError here
    asyncio.run(recovery._build_offsets(_ChangelogEnds(0), {tp}, recovery.active_offsets, "a"))

    assert recovery.active_offsets[tp] == -1  # rebuilt from the changelog's start
    assert resets == [("windows", 0)]
    db = table.data._db_for_partition(0)
    assert db.get(b"debtor") is None and table.data.persisted_offset(tp) is None


def test_state_within_the_changelog_is_kept(tmp_path: Any) -> None:
    app, table, tp = _table_with_state(tmp_path, persisted=54)
    recovery, resets = _recover(app, table, tp)

    asyncio.run(recovery._build_offsets(_ChangelogEnds(55), {tp}, recovery.active_offsets, "a"))

    assert recovery.active_offsets[tp] == 54  # offset 54 is the changelog's last: resume there
    assert resets == []
    assert table.data._db_for_partition(0).get(b"debtor") == b"window"


def test_state_built_from_an_earlier_topic_of_that_name_is_discarded(tmp_path: Any) -> None:
    """The changelog was deleted and created again, and has grown past the persisted offset:
    offsets cannot tell, the topic id can."""
    from streams.faust_fixes import record_topic_id, recorded_topic_id

    app, table, tp = _table_with_state(tmp_path, persisted=54)
    record_topic_id(table.data, 0, "id-of-the-old-topic")
    app.changelog_topic_ids = lambda topics: dict.fromkeys(topics, "id-of-the-new-topic")
    recovery, resets = _recover(app, table, tp)

    asyncio.run(recovery._build_offsets(_ChangelogEnds(900), {tp}, recovery.active_offsets, "a"))

    assert resets == [("windows", 0)] and recovery.active_offsets[tp] == -1
    assert table.data._db_for_partition(0).get(b"debtor") is None
    assert recorded_topic_id(table.data, 0) == "id-of-the-new-topic"


def test_state_of_the_same_topic_is_kept_and_its_id_recorded(tmp_path: Any) -> None:
    from streams.faust_fixes import recorded_topic_id

    app, table, tp = _table_with_state(tmp_path, persisted=54)  # no id recorded yet
    app.changelog_topic_ids = lambda topics: dict.fromkeys(topics, "id-1")
    recovery: Any = app.tables.recovery
    recovery.add_active(table, tp)

    asyncio.run(recovery._build_offsets(_ChangelogEnds(900), {tp}, recovery.active_offsets, "a"))
    assert recovery.active_offsets[tp] == 54
    assert recorded_topic_id(table.data, 0) == "id-1"
    asyncio.run(recovery._build_offsets(_ChangelogEnds(900), {tp}, recovery.active_offsets, "a"))
    assert table.data._db_for_partition(0).get(b"debtor") == b"window"  # same id: kept
