"""Where the worker's memory goes, on /metrics: the window table's RocksDB and Python's heap.

A worker's resident memory is mostly three things: the loaded lists (fixed after start), the
Python objects of the work in hand, and RocksDB's buffers for the window table (memtables,
block cache, index and filter blocks of the open table files). RSS alone cannot tell an ops
engineer which one grows; these gauges can, so a soak or a production dashboard can tell a
leak from a cache filling to its cap.

- `dinarwatch_window_store_bytes{kind}`: RocksDB's own accounting, summed over the window
  table's partitions on this worker (kind = memtables, block_cache, table_readers).
- `dinarwatch_window_store_keys`: RocksDB's estimate of the debtor windows held.
- `dinarwatch_python_allocated_blocks`: blocks allocated by Python's allocator
  (sys.getallocatedblocks), a cheap proxy for the size of the Python heap.

Values are read when /metrics is scraped, never on the hot path.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

ROCKSDB_BYTES = {
    "memtables": "rocksdb.cur-size-all-mem-tables",
    "block_cache": "rocksdb.block-cache-usage",
    "table_readers": "rocksdb.estimate-table-readers-mem",
}
ROCKSDB_KEYS = "rocksdb.estimate-num-keys"


def _int_property(db: Any, name: str) -> int:
    try:
        return int(db.property_int_value(name) or 0)
    except Exception:  # a partition closing during a rebalance, or a store without properties
        return 0


class MemoryCollector(Collector):
    """Reads the gauges above from a Faust table's store at scrape time."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def _dbs(self) -> Iterable[Any]:
        store = getattr(self.table, "_data", None)  # Faust creates the store lazily
        return list(getattr(store, "_dbs", {}).values())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        dbs = self._dbs()
        store = GaugeMetricFamily(
            "dinarwatch_window_store_bytes",
            "Memory RocksDB reports for the window table on this worker",
            labels=["kind"],
        )
        for kind, prop in ROCKSDB_BYTES.items():
            store.add_metric([kind], sum(_int_property(db, prop) for db in dbs))
        yield store
        yield GaugeMetricFamily(
            "dinarwatch_window_store_keys",
            "Debtor windows in the window table on this worker (RocksDB's estimate)",
            value=sum(_int_property(db, ROCKSDB_KEYS) for db in dbs),
        )
        yield GaugeMetricFamily(
            "dinarwatch_python_allocated_blocks",
            "Blocks allocated by Python's allocator (proxy for the Python heap)",
            value=sys.getallocatedblocks(),
        )


def register_memory_metrics(registry: CollectorRegistry, table: Any) -> None:
    """Add the memory gauges for `table` to the worker's registry."""
    registry.register(MemoryCollector(table))
