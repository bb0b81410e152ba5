"""The memory gauges read RocksDB's own accounting from real rocksdict databases."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry
from rocksdict import Rdict

from infra.memory import _libc, register_memory_metrics, tame_malloc, trim_malloc


def _table_with(dbs: dict[int, Rdict]) -> SimpleNamespace:
    """The two attributes the collector reads of a Faust table: its store and the store's
    per-partition databases."""
    return SimpleNamespace(_data=SimpleNamespace(_dbs=dbs))


def test_gauges_sum_rocksdb_memory_and_keys_over_partitions(tmp_path: Path) -> None:
    dbs = {p: Rdict(str(tmp_path / f"p{p}")) for p in (0, 1)}
    try:
        for p, db in dbs.items():
            for i in range(500):
                db[f"debtor-{p}-{i}"] = "x" * 200
        registry = CollectorRegistry()
        register_memory_metrics(registry, _table_with(dbs))
        memtables = registry.get_sample_value(
            "dinarwatch_window_store_bytes", {"kind": "memtables"}
        )
        keys = registry.get_sample_value("dinarwatch_window_store_keys")
        blocks = registry.get_sample_value("dinarwatch_python_allocated_blocks")
    finally:
        for db in dbs.values():
            db.close()
    assert memtables is not None and memtables > 2 * 500 * 200  # both partitions' writes
    assert keys == 1000
    assert blocks is not None and blocks > 0


def test_gauges_are_zero_before_the_store_exists() -> None:
    registry = CollectorRegistry()
    register_memory_metrics(registry, SimpleNamespace(_data=None))
    for kind in ("memtables", "block_cache", "table_readers"):
        assert registry.get_sample_value("dinarwatch_window_store_bytes", {"kind": kind}) == 0
    assert registry.get_sample_value("dinarwatch_window_store_keys") == 0


def test_malloc_tuning_applies_on_glibc_and_zero_means_default() -> None:
    if _libc() is None:
        pytest.skip("not glibc")
    assert tame_malloc(0) is False  # 0 leaves glibc's default alone
    assert tame_malloc(2) is True  # mallopt accepted M_ARENA_MAX
    blob = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MiB, then freed
    del blob
    assert isinstance(trim_malloc(), bool)


def test_shared_block_cache_counted_once(tmp_path: Path) -> None:
    from rocksdict import BlockBasedOptions, Cache, Options

    cache = Cache(4 * 1024 * 1024)
    options = Options()
    table_options = BlockBasedOptions()
    table_options.set_block_cache(cache)
    options.set_block_based_table_factory(table_options)
    dbs = {p: Rdict(str(tmp_path / f"p{p}"), options) for p in (0, 1, 2)}
    try:
        for p, db in dbs.items():
            for i in range(2000):
                db[f"debtor-{p}-{i}"] = "x" * 300
            db.flush()
            assert db[f"debtor-{p}-7"] == "x" * 300
        registry = CollectorRegistry()
        register_memory_metrics(
            registry, SimpleNamespace(_data=SimpleNamespace(_dbs=dbs), block_cache=cache)
        )
        reported = registry.get_sample_value(
            "dinarwatch_window_store_bytes", {"kind": "block_cache"}
        )
        per_db = [db.property_int_value("rocksdb.block-cache-usage") for db in dbs.values()]
    finally:
        for db in dbs.values():
            db.close()
    assert reported == cache.get_usage() > 0
    assert sum(per_db) == 3 * reported  # what summing the partitions would have said
