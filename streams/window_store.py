"""The window table: a Faust table whose RocksDB partitions share one block cache.

Faust opens one RocksDB database per table partition and gives each its own block cache, so
a worker's memory cap grows with the number of partitions it owns (Faust's default is 2 GiB
per partition). A worker owning 4 partitions today may own 32 after a scale-down; its cache
should not grow eightfold. Here all partitions of the window table on one worker share a
single LRU cache of `rocksdb_block_cache_mib`, so the cap is one number per worker. Memtables
stay per partition (`rocksdb_write_buffer_mib` x 2 each), as RocksDB requires.

When local state does not belong to the changelog, recovery discards the partition and
rebuilds it (streams/faust_fixes.py, fix 3); `register_store_reset_metric` counts those resets.
"""

from __future__ import annotations

from typing import Any

import faust
import rocksdict
from faust.stores.rocksdb import RocksDBOptions
from faust.stores.rocksdb import Store as RocksDBStore
from prometheus_client import CollectorRegistry, Counter

from rules.windows import DebtorWindow


class SharedCacheOptions(RocksDBOptions):
    """Faust's RocksDB options with a block cache passed in rather than made per database."""

    def __init__(self, cache: rocksdict.Cache, base: RocksDBOptions) -> None:
        self.__dict__.update(base.__dict__)
        self.cache = cache

    def as_options(self) -> Any:
        if not self.use_rocksdict:
            return super().as_options()
        options = rocksdict.Options(raw_mode=True)
        options.create_if_missing(True)
        options.set_max_open_files(-1 if self.max_open_files is None else self.max_open_files)
        options.set_write_buffer_size(self.write_buffer_size)
        options.set_target_file_size_base(self.target_file_size_base)
        options.set_max_write_buffer_number(self.max_write_buffer_number)
        table = rocksdict.BlockBasedOptions()
        table.set_bloom_filter(self.bloom_filter_size, block_based=True)
        table.set_block_cache(self.cache)
        table.set_index_type(rocksdict.BlockBasedIndexType.binary_search())
        options.set_block_based_table_factory(table)
        return options


class WindowTable(faust.Table[str, Any]):
    """faust.Table with one block cache for all its RocksDB partitions in this process."""

    block_cache: rocksdict.Cache | None = None  # made with the first store, then shared

    def _new_store_by_url(self, url: Any) -> Any:
        store = super()._new_store_by_url(url)
        if isinstance(store, RocksDBStore) and store.use_rocksdict:
            if self.block_cache is None:
                self.block_cache = rocksdict.Cache(store.rocksdb_options.block_cache_size)
            store.rocksdb_options = SharedCacheOptions(self.block_cache, store.rocksdb_options)
        return store


def window_table(app: faust.App, name: str, partitions: int, options: dict[str, int]) -> Any:
    """Register the window table (what `app.Table` does, with `WindowTable`)."""
    table = WindowTable(
        app,
        name=name,
        default=None,
        partitions=partitions,
        options=options,
        beacon=app.tables.beacon,
    )
    return app.tables.add(table)


def register_store_reset_metric(
    app: faust.App, registry: CollectorRegistry, tables: tuple[str, ...]
) -> Counter:
    """`dinarwatch_table_store_resets_total{table}`: local partitions discarded because they
    did not belong to the changelog. Each table's series starts at 0, so an alert rule can
    use increase() from the first scrape."""
    resets = Counter(
        "dinarwatch_table_store_resets",
        "Local table partitions discarded and rebuilt from the changelog because their "
        "state did not belong to it (broker storage reset, changelog recreated)",
        ["table"],
        registry=registry,
    )
    for name in tables:
        resets.labels(name)
    listeners = getattr(app, "store_reset_listeners", None)
    if listeners is not None:
        listeners.append(lambda table, partition: resets.labels(table).inc())
    return resets


class TableWindows:
    """The window table as a screening.service.WindowStore.

    Values are the window as a JSON-ready dict (the table's json codec encodes them); a write
    goes to the changelog partition of Faust's current event (streams/pipeline.py sets it)."""

    __slots__ = ("table",)

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, key: str) -> DebtorWindow | None:
        stored = self.table.get(key)
        return DebtorWindow.model_validate(stored) if stored else None

    def put(self, key: str, window: DebtorWindow) -> None:
        self.table[key] = window.model_dump(mode="json")
