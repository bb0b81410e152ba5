"""docs/metrics.md names every metric the worker and the notifier export.

The metric names come from two places: the registries built by infra/metrics.py, and metrics
that other worker modules register on the same registry (window table resets, watchlist reloads,
memory), found by their literal names in the source. A metric added without a line in the docs
fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from infra.metrics import NotifierMetrics, PipelineMetrics

REPO = Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
_LITERAL = re.compile(r"""["'](dinarwatch_[a-z_]+)["']""")


def _registered() -> set[str]:
    names: set[str] = set()
    for metrics in (PipelineMetrics(), NotifierMetrics()):
        names |= {family.name for family in metrics.registry.collect()}
    return names


def _literal_in_worker_sources() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "streams").rglob("*.py"):
        names |= set(_LITERAL.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_registries_export_the_core_metrics() -> None:
    assert {"dinarwatch_payments", "dinarwatch_alerts", "dinarwatch_notifications"} <= _registered()


def test_every_exported_metric_is_documented() -> None:
    names = _registered() | _literal_in_worker_sources()
    missing = sorted(n for n in names if n not in DOC)
    assert not missing, f"docs/metrics.md lacks {missing}"
