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
