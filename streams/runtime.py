"""What the agents share in one worker process: the screening context and the metrics.

The context is swapped whole (never mutated) when lists or the rule pack are reloaded, so an
agent always screens a payment against one consistent set of lists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from infra.metrics import PipelineMetrics
from rules.context import ScreeningContext


@dataclass
class WorkerRuntime:
    """Mutable holder of the current (immutable) screening context."""

    context: ScreeningContext
    metrics: PipelineMetrics = field(default_factory=PipelineMetrics)

    def __post_init__(self) -> None:
        self.publish_list_metrics()

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
