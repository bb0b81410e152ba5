"""The metrics of `dinarwatch lists fetch`, read from the store's status files.

A fetch usually runs from a systemd timer or cron: a fresh process each time, gone before
Prometheus could scrape it. So the counters are not kept in memory but in each source's
status.json (lists/store.py), and every series is computed from those files when asked:
a failure counted by yesterday's run is still counted today, and a counter only grows.

Two ways to get them to Prometheus (docs/lists.md, "Keeping lists current"):
  - `lists fetch --every 6h` is a long-lived process: it serves /metrics on 127.0.0.1
    (`--metrics-port`, default 6068; the job `dinarwatch-lists` in deploy/prometheus);
  - a one-shot run (timer, cron) writes the same text with `--textfile PATH` (atomically), for
    node_exporter's textfile collector.
The alert DinarwatchListFetchStale (deploy/prometheus/rules/list_fetch.yml) compares the time
since the last verified download with dinarwatch_list_fetch_max_age_seconds, which is
MAX_AGE_CADENCES x the source's cadence (rules/lists/sources.py): one missed refresh is
tolerated, a second one is an alert.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from lists.fetch import FAILURE_REASONS
from lists.store import ListStore
from rules.lists.sources import SOURCES

MAX_AGE_CADENCES = 2
DEFAULT_METRICS_PORT = 6068


class FetchCollector(Collector):
    """Series for `sources`, computed from the store at each collection."""

    def __init__(self, store: ListStore, sources: Sequence[str]) -> None:
        self.store = store
        self.sources = list(sources)

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        failures = CounterMetricFamily(
            "dinarwatch_list_fetch_failures",
            "List fetches that failed or were refused, by source and reason (the last good "
            "version stayed in force)",
            labels=["source", "reason"],
        )
        success = GaugeMetricFamily(
            "dinarwatch_list_fetch_last_success_timestamp_seconds",
            "When the source's last verified download finished (new or unchanged content); "
            "0 before the first",
            labels=["source"],
        )
        attempt = GaugeMetricFamily(
            "dinarwatch_list_fetch_last_attempt_timestamp_seconds",
            "When the source was last tried",
            labels=["source"],
        )
        max_age = GaugeMetricFamily(
            "dinarwatch_list_fetch_max_age_seconds",
            "How old the last verified download may get before DinarwatchListFetchStale fires "
            f"({MAX_AGE_CADENCES} x the source's cadence)",
            labels=["source"],
        )
        entries = GaugeMetricFamily(
            "dinarwatch_list_fetch_entries",
            "Entries of the version in force, summed over the lists the source holds",
            labels=["source"],
        )
        info = GaugeMetricFamily(
            "dinarwatch_list_fetch_info",
            "Always 1: the version in force (store version id, SHA-256) and whether the last "
            "attempt failed (its reason, empty when it succeeded)",
            labels=["source", "version", "sha256", "last_failure_reason"],
        )
        for source in self.sources:
            status = self.store.status(source)
            for reason in FAILURE_REASONS:
                failures.add_metric([source, reason], status.failures.get(reason, 0))
            success.add_metric(
                [source], status.last_success.timestamp() if status.last_success else 0.0
            )
            if status.last_attempt is not None:
                attempt.add_metric([source], status.last_attempt.timestamp())
            spec = SOURCES.get(source)
            if spec is not None:
                max_age.add_metric([source], MAX_AGE_CADENCES * spec.cadence.total_seconds())
            current = self.store.current(source)
            if current is not None:
                entries.add_metric([source], current.entries)
            failed = status.last_failure is not None and (
                status.last_success is None or status.last_failure >= status.last_success
            )
            info.add_metric(
                [
                    source,
                    current.version_id if current else "",
                    current.sha256 if current else "",
                    status.last_failure_reason or "" if failed else "",
                ],
                1,
            )
        yield from (failures, success, attempt, max_age, entries, info)


def registry_for(store: ListStore, sources: Sequence[str]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FetchCollector(store, sources))
    return registry


def write_textfile(path: Path, registry: CollectorRegistry) -> None:
    """The exposition text, written beside `path` and renamed over it (node_exporter reads
    whole files only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(generate_latest(registry))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
