"""`lists fetch` on the real broker: a fetched list reaches a running worker with its manifest.

The list is served by a local HTTP server (tests/list_server.py), cut from OFAC's real legacy
CSV of 2021-07-07 (../shared/data/ofac/set_2021-07/sdn.csv). A running worker, never restarted,
shows the fetched version and its manifest on /health and in dinarwatch_list_info; a shrunken
download is refused (exit 8) and publishes nothing, so the worker keeps the good version; a
fetch whose publish fails (no watchlists topic) stores the version and publishes it on the next
run. A plain reader of the topic (streams.watchlists.catch_up, what a worker does at start) sees
the same version and manifest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from infra import errors
from infra.admin import create_topics
from infra.settings import Settings
from lists.files import builtin_lists, load_rule_pack
from lists.store import ListStore
from rules.context import ScreeningContext
from streams.runtime import WorkerRuntime
from streams.watchlists import Reloader, WatchlistMetrics, WatchlistState, catch_up
from tests.integration.pipeline import WorkerProcess, metric_value, pipeline_settings, settings_env
from tests.kafka_broker import unique_topic_prefix
from tests.list_server import ListServer, Route
from tests.unit.lists.test_list_fetch import sdn_rows

pytestmark = pytest.mark.integration

RELOAD_DEADLINE_S = 20.0


def fetch_cli(
    settings: Settings, server: ListServer, *args: str
) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("dinarwatch")
    return subprocess.run(
        [str(exe), "lists", "fetch", "ofac-sdn", "--url", f"ofac-sdn={server.url}/ofac/", *args],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


def health(worker: WorkerProcess) -> dict[str, Any]:
    with urllib.request.urlopen(f"{worker.url}/health", timeout=5) as response:
        doc: dict[str, Any] = json.loads(response.read())
        return doc


def wait_for_version(worker: WorkerProcess, version: str) -> dict[str, Any]:
    deadline = time.monotonic() + RELOAD_DEADLINE_S
    while time.monotonic() < deadline:
        doc = health(worker)
        if doc["lists"].get("ofac-sdn") == version:
            return doc
        time.sleep(0.3)
    raise AssertionError(f"ofac-sdn not at {version}:\n{worker.log_tail()}")


def read_like_a_worker(settings: Settings) -> WorkerRuntime:
    runtime = WorkerRuntime(ScreeningContext.build(load_rule_pack(None), builtin_lists()))
    state = WatchlistState.of(runtime.context)
    catch_up(settings, Reloader(runtime, WatchlistMetrics.register(runtime), state))
    return runtime


def test_a_fetched_list_reaches_a_running_worker_with_its_manifest(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("fetch"), tmp_path)
    create_topics(settings)
    store = ListStore(settings.data_dir / "list-store")
    with ListServer.running() as server:
        worker = WorkerProcess(settings, tmp_path / "worker.log").start()
        try:
            assert "ofac-sdn" not in health(worker)["lists"]
            server.routes["/ofac/sdn.csv"] = Route(sdn_rows(1000))
            done = fetch_cli(settings, server)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "; published" in done.stdout
            current = store.current("ofac-sdn")
            assert current is not None
            item = current.manifest.lists[0]
            doc = wait_for_version(worker, str(item.version))
            manifest = doc["list_manifests"]["ofac-sdn"]
            assert manifest["sha256"] == item.sha256 and manifest["entries"] == 1000
            assert manifest["url"] == f"{server.url}/ofac/" and manifest["source"] == "ofac-sdn"
            labels = {"list": "ofac-sdn", "sha256": str(item.sha256), "source": "ofac-sdn"}
            assert metric_value(worker.metrics(), "dinarwatch_list_info", labels) == 1

            server.routes["/ofac/sdn.csv"] = Route(sdn_rows(600))
            shrunk = fetch_cli(settings, server)
            assert shrunk.returncode == errors.EXIT_FETCH_REFUSED, shrunk.stderr
            assert shrunk.stderr.startswith("fetch refused: ofac-sdn: 600 entries")
            time.sleep(2)  # nothing was published: the worker keeps the good version
            assert health(worker)["lists"]["ofac-sdn"] == item.version
        finally:
            worker.stop()

    reader = read_like_a_worker(settings)
    seen = reader.context.lists.get("ofac-sdn")
    assert seen is not None and seen.version == item.version and len(seen) == 1000
    assert seen.manifest is not None and seen.manifest["sha256"] == item.sha256


def test_a_failed_publish_keeps_the_version_and_the_next_run_publishes_it(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("fetchpub"), tmp_path)
    store = ListStore(settings.data_dir / "list-store")
    with ListServer.running() as server:
        server.routes["/ofac/sdn.csv"] = Route(sdn_rows(400))
        no_topic = fetch_cli(settings, server)
        assert no_topic.returncode == errors.EXIT_TOPIC, no_topic.stdout + no_topic.stderr
        assert "stored" in no_topic.stderr and "not published" in no_topic.stderr
        status = store.status("ofac-sdn")
        assert status.failures == {"publish": 1} and status.published_version is None
        current = store.current("ofac-sdn")
        assert current is not None

        create_topics(settings)
        again = fetch_cli(settings, server)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "unchanged" in again.stdout and "; published" in again.stdout
        assert store.status("ofac-sdn").published_version == current.version_id

        third = fetch_cli(settings, server)
        assert "already published" in third.stdout

    seen = read_like_a_worker(settings).context.lists.get("ofac-sdn")
    assert seen is not None and seen.version == current.manifest.lists[0].version
