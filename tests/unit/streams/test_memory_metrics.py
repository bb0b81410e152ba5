"""The memory gauges read RocksDB's own accounting from real rocksdict databases."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from prometheus_client import CollectorRegistry
from rocksdict import Rdict

from streams.memory import register_memory_metrics


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
