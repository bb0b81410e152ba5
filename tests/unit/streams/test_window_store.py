"""The window table's RocksDB partitions share one block cache (real rocksdict databases)."""

from __future__ import annotations

from pathlib import Path

from streams.faust_fixes import App
from streams.window_store import SharedCacheOptions, window_table

MIB = 1024 * 1024


def test_all_partitions_open_with_the_one_shared_cache(tmp_path: Path) -> None:
    app = App("ws-test", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    table = window_table(app, "debtor-windows", 4, {"block_cache_size": 2 * MIB})
    store = table.data
    options = store.rocksdb_options
    assert isinstance(options, SharedCacheOptions)
    dbs = [options.open(tmp_path / f"p{p}") for p in range(2)]
    try:
        for p, db in enumerate(dbs):
            for i in range(2000):
                db[f"debtor-{p}-{i}".encode()] = b"w" * 300
            db.flush()
        used_before = options.cache.get_usage()
        for p, db in enumerate(dbs):
            assert db[f"debtor-{p}-1999".encode()] == b"w" * 300  # read through the cache
        assert options.cache.get_usage() > used_before
        assert options.cache.get_usage() <= 2 * MIB
    finally:
        for db in dbs:
            db.close()
    # a second store of the same table (after a restart of the table) gets the same cache
    assert table._new_store_by_url("rocksdb://").rocksdb_options.cache is options.cache
