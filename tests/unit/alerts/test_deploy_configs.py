"""Prometheus rules and config, Alertmanager config, Grafana dashboards, docker-compose.

promtool/amtool are the real tools (Debian packages prometheus / prometheus-alertmanager,
listed in deploy/system-deps/alerting.txt).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from types import ModuleType
from typing import Any

import pytest
import yaml

from desk.metrics import DeskMetrics
from infra.metrics import NotifierMetrics, PipelineMetrics
from lists.fetch_metrics import registry_for
from lists.store import ListStore
from rules.lists.sources import SOURCES
from tests.unit.alerts.promql import (
    DASHBOARDS,
    REPO,
    dashboard_expressions,
    metric_names,
    rule_expressions,
)

PROM = REPO / "deploy" / "prometheus"
AM = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
GRAFANA = REPO / "deploy" / "grafana"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} missing: run deploy/install-system-deps.sh"
    return path


def run(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_promtool_checks_rules_and_configs() -> None:
    promtool = tool("promtool")
    assert "SUCCESS: 10 rules found" in run(
        promtool, "check", "rules", *map(str, PROM.glob("rules/*.yml"))
    )
    run(promtool, "check", "config", str(PROM / "prometheus.yml"))
    run(promtool, "check", "config", str(PROM / "prometheus-compose.yml"))


def test_promtool_unit_tests_pass() -> None:
    out = run(tool("promtool"), "test", "rules", *map(str, sorted(PROM.glob("tests/*.yml"))))
    assert "FAILED" not in out


def test_every_alerting_rule_has_a_promtool_test() -> None:
    tested = {
        case["alertname"]
        for path in PROM.glob("tests/*.yml")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    rules = {e.source.rsplit(" / ", 1)[1] for e in rule_expressions()}
    assert rules <= tested, rules - tested


def test_amtool_accepts_the_alertmanager_config() -> None:
    run(tool("amtool"), "check-config", str(AM))


def test_alertmanager_routes_critical_to_webhook_and_email() -> None:
    doc = yaml.safe_load(AM.read_text())
    critical = [
        r["receiver"] for r in doc["route"]["routes"] if 'severity="critical"' in r["matchers"]
    ]
    kinds = {
        key
        for receiver in doc["receivers"]
        if receiver["name"] in critical
        for key in receiver
        if key.endswith("_configs")
    }
    assert kinds == {"webhook_configs", "email_configs"}
    assert "password:" not in AM.read_text().replace("password_file", "")


def _routes_to(*labels: str) -> str:
    """The receivers the real Alertmanager routing tree picks for an alert with `labels`."""
    cmd = [tool("amtool"), "config", "routes", "test", f"--config.file={AM}", *labels]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_critical_screening_alerts_are_each_their_own_webhook_notification() -> None:
    screening = ["alertname=DinarwatchScreeningAlert", "rule=CBI-USD-BAN", "alert_id=a1"]
    assert _routes_to(*screening, "severity=critical") == "ops-webhook,compliance-email"
    assert _routes_to(*screening, "severity=high") == "ops-webhook"
    doc = yaml.safe_load(AM.read_text())
    own = [
        r
        for r in doc["route"]["routes"]
        if 'alertname="DinarwatchScreeningAlert"' in r.get("matchers", [])
        and r["receiver"] == "ops-webhook"
    ]
    assert own and own[0]["group_by"] == ["alertname", "alert_id"] and own[0]["continue"]


def test_no_receiver_truncates_alerts() -> None:
    doc = yaml.safe_load(AM.read_text())
    hooks = [c for r in doc["receivers"] for c in r.get("webhook_configs", [])]
    assert hooks and all(c.get("max_alerts", 0) == 0 for c in hooks)


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_dashboards", GRAFANA / "build_dashboards.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_dashboards_are_what_the_builder_builds() -> None:
    assert _builder().main(["--check"]) == 0


def test_dashboards_are_well_formed() -> None:
    uids = set()
    for path in sorted(DASHBOARDS.glob("*.json")):
        doc = json.loads(path.read_text())
        assert doc["uid"] not in uids and doc["title"].startswith("dinarwatch / ")
        uids.add(doc["uid"])
        ids = [p["id"] for p in doc["panels"]]
        assert len(ids) == len(set(ids))
        for panel in doc["panels"]:
            assert panel["title"] and panel["description"] and panel["gridPos"]["w"] > 0
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            assert panel["targets"], panel["title"]
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs)) and all(t["expr"] for t in panel["targets"])
    assert uids == {"dinarwatch-ops", "dinarwatch-lists", "dinarwatch-pipeline"}


def test_no_query_uses_payment_ids_or_accounts_as_labels() -> None:
    for e in dashboard_expressions() + rule_expressions():
        assert "payment_id" not in e.expr and "account" not in e.expr, e


def test_queries_use_only_metrics_the_code_defines() -> None:
    defined = {"up"}
    registries = [m.registry for m in (PipelineMetrics(), NotifierMetrics(), DeskMetrics())]
    registries.append(registry_for(ListStore(REPO / "no-store"), list(SOURCES)))  # lists fetch
    for registry in registries:
        for family in registry.collect():
            defined |= {family.name, f"{family.name}_total"}
            defined |= {f"{family.name}_{s}" for s in ("bucket", "count", "sum")}
    used = set().union(
        *(metric_names(e.expr) for e in dashboard_expressions() + rule_expressions())
    )
    assert used <= defined, used - defined


def test_grafana_provisioning_points_at_the_dashboards() -> None:
    ds = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    assert ds["datasources"][0]["uid"] == "prometheus"
    prov = yaml.safe_load((GRAFANA / "provisioning/dashboards/dinarwatch.yml").read_text())
    assert prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return doc


def test_compose_has_the_monitoring_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"worker", "notifier", "prometheus", "alertmanager", "grafana"} <= set(services)
    assert services["notifier"]["command"][0] == "notifier"
    env = services["notifier"]["environment"]
    assert env["DINARWATCH_NOTIFY_ALERTMANAGER_URL"] == "http://alertmanager:9093"
    config = next(c for c in services["prometheus"]["command"] if c.startswith("--config.file"))
    assert config.endswith("prometheus-compose.yml")
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_every_mounted_host_path_exists(compose: dict[str, Any]) -> None:
    mounts = 0
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith(("./", "/")):
                assert (REPO / source).exists(), source
                mounts += 1
    assert mounts >= 4
    prom = next(v for v in compose["services"]["prometheus"]["volumes"] if v.startswith("./"))
    host, target = prom.split(":")[:2]
    assert (REPO / host / "prometheus-compose.yml").exists() and target == "/etc/prometheus"
