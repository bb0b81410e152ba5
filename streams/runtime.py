"""What the agents share in one worker process: the screening context and the metrics.

The context is swapped whole (never mutated) when lists or the rule pack are reloaded, so an
agent always screens a payment against one consistent set of lists.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from infra.metrics import PipelineMetrics
from rules.context import ScreeningContext


@dataclass
class WorkerRuntime:
    """Mutable holder of the current (immutable) screening context."""

    context: ScreeningContext
    metrics: PipelineMetrics = field(default_factory=PipelineMetrics)

    def __post_init__(self) -> None:
        self.publish_list_metrics()
        self.metrics.registry.register(PartyCacheCollector(self))

    def swap_context(self, context: ScreeningContext) -> None:
        self.context = context
        self.publish_list_metrics()

    def publish_list_metrics(self) -> None:
        now = time.time()
        for name, reference in self.context.lists.lists.items():
            self.metrics.list_entries.labels(name).set(len(reference))
            self.metrics.list_loaded.labels(name).set(now)
            self.metrics.record_list_published(name, reference.published)
        self.metrics.record_list_versions(
            self.context.lists.versions(),
            {name: ref.manifest for name, ref in self.context.lists.lists.items()},
        )
        self.metrics.init_rules(self.context.pack.rules)


class PartyCacheCollector(Collector):
    """The current context's party cache (rules/party_cache.py), read at scrape time.

    How often a party, agent or text was answered from memory tells an ops engineer what the
    cache is worth on the bank's own traffic. The counts start again from zero with every new
    context (a list or exception reload empties the cache), which Prometheus's rate() and
    increase() read as a counter reset."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        stats = self.runtime.context.parties.stats()
        lookups = CounterMetricFamily(
            "dinarwatch_party_cache_lookups",
            "Subject and text lookups in the party cache since the context was built",
            labels=["result"],
        )
        lookups.add_metric(["hit"], stats.hits)
        lookups.add_metric(["miss"], stats.misses)
        yield lookups
        yield GaugeMetricFamily(
            "dinarwatch_party_cache_entries",
            "Subjects and texts the party cache holds (its capacity is PARTY_CACHE_SIZE)",
            value=stats.size,
        )
