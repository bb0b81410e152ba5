"""Where the worker's memory goes, on /metrics: the window table's RocksDB and Python's heap.

A worker's resident memory is mostly three things: the loaded lists (fixed after start), the
Python objects of the work in hand, and RocksDB's buffers for the window table (memtables,
block cache, index and filter blocks of the open table files). RSS alone cannot tell an ops
engineer which one grows; these gauges can, so a soak or a production dashboard can tell a
leak from a cache filling to its cap.

- `dinarwatch_window_store_bytes{kind}`: RocksDB's own accounting, summed over the window
  table's partitions on this worker (kind = memtables, block_cache, table_readers); the block
  cache, shared by the partitions, is counted once.
- `dinarwatch_window_store_keys`: RocksDB's estimate of the debtor windows held.
- `dinarwatch_python_allocated_blocks`: blocks allocated by Python's allocator
  (sys.getallocatedblocks), a cheap proxy for the size of the Python heap.

Values are read when /metrics is scraped, never on the hot path.

And two glibc settings that keep RSS near what is actually in use (`tame_malloc`,
`register_malloc_trim`). RocksDB's memtables and cache blocks are allocated and freed by its
background threads; glibc gives each thread its own arena (up to 8 per core) and keeps freed
pages, so without these the RSS follows RocksDB's high-water mark in every arena rather than
its current use (measured in the soak: RSS kept climbing while RocksDB's own accounting
oscillated below its caps).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("dinarwatch.worker")

M_ARENA_MAX = -8  # glibc mallopt parameter


@functools.cache
def _libc() -> Any:
    """glibc, or None elsewhere (musl, macOS): the tuning is then skipped. Loaded once."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def tame_malloc(arena_max: int) -> bool:
    """Cap glibc's malloc arenas (0 leaves glibc's default). Call before threads start."""
    libc = _libc()
    if arena_max <= 0 or libc is None:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arena_max))


def trim_malloc() -> bool:
    """Return freed heap pages to the OS (glibc's malloc_trim); True if any were."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


def register_malloc_trim(app: Any, interval: float) -> None:
    """Trim the C heap every `interval` seconds (0: never)."""
    if interval <= 0 or _libc() is None:
        return

    @app.timer(interval, on_leader=False)  # type: ignore[untyped-decorator]
    async def _trim() -> None:
        trim_malloc()


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
        shared = getattr(self.table, "block_cache", None)  # streams/window_store.WindowTable
        for kind, prop in ROCKSDB_BYTES.items():
            if kind == "block_cache" and shared is not None:
                # every partition reports the one shared cache: count it once
                store.add_metric([kind], int(shared.get_usage()))
            else:
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


def settle_heap() -> None:
    """Move what is alive now (the loaded lists and their indexes) out of the cyclic
    collector's sight, and make young collections rarer.

    The full SDN's indexes are millions of long-lived objects; without this every full
    collection walks them all again while screening makes short-lived objects per payment
    (measured: 3.5 s of 9.6 s screening 10,000 payments with the full SDN went to the
    collector). Frozen objects are still freed by reference counting when a reload drops them.
    The pages freed while the lists were parsed go back to the OS (a ready worker is 11 MiB
    smaller; its peak is not, the memos would have reused them).
    """
    gc.collect()
    trim_malloc()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
