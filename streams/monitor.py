"""A Faust monitor that keeps no per-event statistics.

Faust's default Monitor records every message and stream event (a state object per message,
timestamps in and out, per-send and per-table-access counters) for its own /stats pages. The
worker exports what an ops center watches through Prometheus (streams/app.py /metrics: payments,
decisions, alerts, dead letters, lag, latencies), so those per-event statistics are paid for and
never read. This monitor keeps Faust's rebalance, commit and assignment bookkeeping and drops
the per-event hooks; `faust_monitor: full` in the settings brings the default back.
"""

from __future__ import annotations

from typing import Any

from faust.sensors.monitor import Monitor


class QuietMonitor(Monitor):
    """Faust's Monitor without the per-message, per-event, per-send and per-table hooks."""

    def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
        return None

    def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> Any:
        return None

    def on_stream_event_out(
        self, tp: Any, offset: int, stream: Any, event: Any, state: Any = None
    ) -> None:
        return None

    def on_message_out(self, tp: Any, offset: int, message: Any) -> None:
        return None

    def on_table_get(self, table: Any, key: Any) -> None:
        return None

    def on_table_set(self, table: Any, key: Any, value: Any) -> None:
        return None

    def on_send_initiated(
        self, producer: Any, topic: str, message: Any, keysize: int, valsize: int
    ) -> Any:
        return None

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        return None
