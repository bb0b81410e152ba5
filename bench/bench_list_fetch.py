"""Fetch-to-published time for the full SDN list: `dinarwatch lists fetch ofac-sdn`.

A local HTTP server (tests/list_server.py) serves the full SDN list of 2024-05-03
(../shared/data/ofac/sdn_2024-05-03/sdn.csv, 14,965 entries) with the December 2025 alt.csv,
add.csv and sdn_comments.csv; each run fetches into an empty store, so every run downloads,
verifies, stores and publishes a new version to the watchlists topic of a real broker and waits
for its acknowledgement. Printed: each phase (download, verify = parse + the publish checks,
store, publish = encode + broker/topic check + send + ack) and the total, median and worst of
the runs, done in-process through the same functions the command calls; then the command itself
as a subprocess (interpreter start and imports included), which is what a timer pays.
Run: python -m bench.bench_list_fetch [--runs 5] [--cli-runs 2] [--write-doc]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_worker import commit, write_doc
from bench.common import SHARED, ensure_broker, machine, stop_broker
from infra.admin import create_topics
from infra.settings import Settings
from lists.fetch import FetchOptions, download_source, verify
from lists.publish import publish_lists
from lists.store import ListStore, files_sha256, version_id
from rules.lists.sources import SOURCES
from tests.integration.pipeline import settings_env
from tests.kafka_broker import unique_topic_prefix
from tests.list_server import CSV, ListServer

FILES = {
    "sdn.csv": SHARED / "ofac" / "sdn_2024-05-03" / "sdn.csv",
    "alt.csv": SHARED / "ofac" / "addalt_2025-12" / "alt.csv",
    "add.csv": SHARED / "ofac" / "addalt_2025-12" / "add.csv",
    "sdn_comments.csv": SHARED / "ofac" / "addalt_2025-12" / "sdn_comments.csv",
}
MARKS = ("<!-- bench_list_fetch:start -->", "<!-- bench_list_fetch:end -->")


def one_run(settings: Settings, store: ListStore, options: FetchOptions) -> dict[str, float]:
    """The steps of lists.fetch.fetch_source and the publish, each timed."""
    from lists.fetch import manifest_entries, with_manifest

    spec = SOURCES["ofac-sdn"]
    times: dict[str, float] = {}
    started = time.perf_counter()
    downloads = download_source(spec, options.urls["ofac-sdn"], options)
    times["download"] = time.perf_counter() - started
    files = {name: d.data for name, d in downloads.items()}
    mark = time.perf_counter()
    lists = verify("ofac-sdn", files, published=None, previous=None, force=False)
    times["verify"] = time.perf_counter() - mark
    mark = time.perf_counter()
    at = datetime.now(UTC).replace(microsecond=0)
    items = manifest_entries("ofac-sdn", options.urls["ofac-sdn"], at, files, lists)
    sha, _ = files_sha256(files)
    stored = store.add_version("ofac-sdn", files, items, version_id(at, sha))
    store.make_current(stored)
    times["store"] = time.perf_counter() - mark
    mark = time.perf_counter()
    by_name = {item.name: item for item in stored.manifest.lists}
    publish_lists(settings, [with_manifest(ref, by_name[ref.name]) for ref in lists])
    times["publish"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    times["entries"] = float(sum(len(x) for x in lists))
    times["bytes"] = float(sum(len(d) for d in files.values()))
    return times


def cli_run(settings: Settings, server: ListServer, store: Path) -> float:
    exe = Path(sys.executable).with_name("dinarwatch")
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(exe),
            "lists",
            "fetch",
            "ofac-sdn",
            "--url",
            f"ofac-sdn={server.url}/ofac/",
            "--store",
            str(store),
        ],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"lists fetch failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli-runs", type=int, default=2)
    parser.add_argument("--write-doc", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    for path in FILES.values():
        if not path.exists():
            sys.exit(f"missing {path}: the shared reference data sits beside the repo")

    bootstrap, own_broker = ensure_broker()
    settings = Settings(kafka_bootstrap=bootstrap, topic_prefix=unique_topic_prefix("benchfetch"))
    create_topics(settings)
    runs: dict[str, list[float]] = defaultdict(list)
    cli: list[float] = []
    try:
        with ListServer.running() as server, tempfile.TemporaryDirectory() as tmp:
            for name, path in FILES.items():
                server.serve_file(f"/ofac/{name}", path, CSV)
            options = FetchOptions(urls={"ofac-sdn": f"{server.url}/ofac/"}, timeout=60)
            for i in range(args.runs):
                times = one_run(settings, ListStore(Path(tmp) / f"run{i}"), options)
                for key, value in times.items():
                    runs[key].append(value)
                print(
                    f"run {i + 1}: "
                    + ", ".join(f"{k} {v:.2f}s" for k, v in times.items() if k in PHASES),
                    flush=True,
                )
            for i in range(args.cli_runs):
                cli.append(cli_run(settings, server, Path(tmp) / f"cli{i}"))
                print(f"cli run {i + 1}: {cli[-1]:.2f}s", flush=True)
    finally:
        if own_broker:
            stop_broker()

    text = report(runs, cli)
    print("\n" + text)
    if args.write_doc:
        write_doc(text, MARKS)


PHASES = ("download", "verify", "store", "publish", "total")


def report(runs: dict[str, list[float]], cli: list[float]) -> str:
    entries = int(runs["entries"][0])
    size = runs["bytes"][0] / 1e6
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on commit {commit()} ({machine()}): "
        f"{len(runs['total'])} in-process runs, {len(cli)} command runs; "
        f"full SDN of 2024-05-03 with the 2025-12 aliases and addresses, {entries:,} entries, "
        f"{size:.1f} MB served from 127.0.0.1.",
        "",
        "| phase | median | worst |",
        "| --- | ---: | ---: |",
    ]
    for phase in PHASES:
        values = runs[phase]
        name = "**fetch to published (acked)**" if phase == "total" else phase
        lines.append(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    if cli:
        lines.append(
            f"| `dinarwatch lists fetch ofac-sdn` (process start to exit) | "
            f"{statistics.median(cli):.2f} s | {max(cli):.2f} s |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
