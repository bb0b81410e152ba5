"""Consumer lag per partition, published as `dinarwatch_consumer_lag{topic,partition}`.

Lag is what Kafka tools call consumer-group lag: the partition's highwater (log end offset)
minus the group's committed offset, for the partitions this worker owns. It is computed inside
the worker, from its own consumer, so it needs no extra admin connection and follows rebalances:
a partition that moved to another worker stops being reported here and the other worker starts
reporting it, so `sum(dinarwatch_consumer_lag)` over all workers counts every partition once.

Wiring (streams/app.py, after the agents are registered)::

    register_lag_monitor(app, settings, runtime.metrics)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from infra.metrics import PipelineMetrics
from infra.settings import Settings

log = logging.getLogger("dinarwatch.lag")

LAG_INTERVAL_SECONDS = 10.0
_REGISTERED = "_dinarwatch_lag_monitor"


def partition_lags(
    highwaters: Mapping[Any, int | None], committed: Mapping[Any, int | None]
) -> dict[tuple[str, int], int]:
    """Lag per (topic, partition): highwater - committed, where nothing committed yet means
    the whole partition is pending (the worker starts from earliest)."""
    lags: dict[tuple[str, int], int] = {}
    for tp, high in highwaters.items():
        if high is None:
            continue
        done = committed.get(tp) or 0
        lags[(tp.topic, tp.partition)] = max(int(high) - int(done), 0)
    return lags


def _owned(assignment: Iterable[Any]) -> list[Any]:
    """The source partitions an agent consumes; table changelogs are read only on recovery,
    so their "lag" would be meaningless and is left out."""
    return sorted(
        (tp for tp in assignment if not tp.topic.endswith("-changelog")),
        key=lambda tp: (tp.topic, tp.partition),
    )


async def _committed(consumer: Any, tps: list[Any]) -> dict[Any, int | None]:
    """Faust keeps the last committed offset per partition; fall back to the position (the
    next offset to read) for partitions it has not committed on yet."""
    known = getattr(consumer, "_committed_offset", {})
    out: dict[Any, int | None] = {}
    for tp in tps:
        offset = known.get(tp)
        out[tp] = offset if offset is not None else await consumer.position(tp)
    return out


async def measure_lag(app: Any, metrics: PipelineMetrics) -> None:
    """One measurement: ask the broker for highwaters of the owned partitions, set the gauges."""
    consumer = app.consumer
    tps = _owned(consumer.assignment())
    if not tps:
        metrics.forget_lag(set())
        return
    highwaters = await consumer.highwaters(*tps)
    lags = partition_lags(highwaters, await _committed(consumer, tps))
    for (topic, partition), lag in lags.items():
        metrics.record_lag(topic, partition, lag)
    metrics.forget_lag(set(lags))


def register_lag_monitor(
    app: Any, settings: Settings, metrics: PipelineMetrics, interval: float | None = None
) -> None:
    """Add a Faust timer that refreshes the lag gauges; idempotent (a second call is a no-op),
    so test harnesses and the app may both call it."""
    if getattr(app, _REGISTERED, False):
        return
    setattr(app, _REGISTERED, True)
    every = interval if interval is not None else LAG_INTERVAL_SECONDS

    @app.timer(every, on_leader=False)  # type: ignore[untyped-decorator]
    async def consumer_lag_monitor() -> None:
        try:
            await measure_lag(app, metrics)
        except Exception as exc:  # a failed measurement must never stop the worker
            log.debug("lag measurement for %s failed: %s", settings.app_id, exc)
