"""Every PromQL expression the project ships: dashboard targets and alerting rules.

Used by the unit tests (structure) and the integration test (evaluated on a real Prometheus).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
DASHBOARDS = REPO / "deploy" / "grafana" / "dashboards"
RULES = REPO / "deploy" / "prometheus" / "rules"

_METRIC = re.compile(r"\b(dinarwatch_[a-z0-9_]+\b(?!\s*\()|up(?=\s*\{))")
_GRAFANA_VARS = {"$__rate_interval": "1m", "$__range": "1h", "$__interval": "15s"}


@dataclass(frozen=True)
class Expression:
    source: str  # "dashboard <file> / <panel>" or "rule <file> / <alert>"
    expr: str


def dashboard_expressions() -> list[Expression]:
    out = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        doc = json.loads(path.read_text())
        for panel in doc["panels"]:
            for target in panel.get("targets", []):
                out.append(Expression(f"dashboard {path.name} / {panel['title']}", target["expr"]))
    return out


def rule_expressions() -> list[Expression]:
    out = []
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                out.append(Expression(f"rule {path.name} / {name}", rule["expr"]))
    return out


def all_expressions() -> list[Expression]:
    return dashboard_expressions() + rule_expressions()


def metric_names(expr: str) -> set[str]:
    """Metric names selected by an expression (dinarwatch_* and up)."""
    return set(_METRIC.findall(expr))


def substitute_grafana_vars(expr: str) -> str:
    for name, value in _GRAFANA_VARS.items():
        expr = expr.replace(name, value)
    return expr
