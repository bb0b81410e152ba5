"""Build the Grafana dashboards (JSON in deploy/grafana/dashboards/) with grafana-foundation-sdk.

    .venv/bin/python deploy/grafana/build_dashboards.py          # rewrite the JSON files
    .venv/bin/python deploy/grafana/build_dashboards.py --check  # exit 1 if they are stale

The JSON is generated, never hand-edited: panels are typed builders here, so a dashboard is
reviewed as code and tests/unit/alerts checks the committed JSON is what this file builds.
Every query uses the provisioned datasource (uid "prometheus") and Grafana's $__rate_interval
/ $__range, which the PromQL test substitutes before asking a real Prometheus.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import bargauge, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.builders.common import StackingConfig
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import StackingMode
from grafana_foundation_sdk.models.dashboard import DataSourceRef
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

OUT = Path(__file__).resolve().parent / "dashboards"
DS = DataSourceRef(type_val="prometheus", uid="prometheus")
RATE = "$__rate_interval"
RANGE = "$__range"

Panel = Any  # a grafana_foundation_sdk panel builder


def q(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> prom.Dataquery:
    query = prom.Dataquery().expr(expr).ref_id(ref).datasource(DS)
    if legend:
        query = query.legend_format(legend)
    if instant:
        query = query.instant()
    return query


def series(
    title: str, desc: str, unit: str, *queries: prom.Dataquery, stack: bool = False
) -> Panel:
    panel = timeseries.Panel().title(title).description(desc).unit(unit).datasource(DS)
    panel = panel.height(8).span(12).fill_opacity(15 if stack else 5)
    if stack:
        panel = panel.stacking(StackingConfig().mode(StackingMode.NORMAL))
    for query in queries:
        panel = panel.with_target(query)
    return panel


def number(title: str, desc: str, unit: str, query: prom.Dataquery, span: int = 6) -> Panel:
    return (
        stat.Panel()
        .title(title)
        .description(desc)
        .unit(unit)
        .datasource(DS)
        .height(5)
        .span(span)
        .with_target(query)
    )


def bars(title: str, desc: str, unit: str, query: prom.Dataquery) -> Panel:
    return (
        bargauge.Panel()
        .title(title)
        .description(desc)
        .unit(unit)
        .datasource(DS)
        .height(8)
        .span(12)
        .with_target(query)
    )


def board(uid: str, title: str, desc: str, panels: list[Panel]) -> dict[str, Any]:
    builder = (
        dash.Dashboard(title)
        .uid(uid)
        .description(desc)
        .tags(["dinarwatch"])
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .editable()
    )
    for panel in panels:
        builder = builder.with_panel(panel)
    doc: dict[str, Any] = json.loads(JSONEncoder(sort_keys=True, indent=2).encode(builder.build()))
    for number_, panel_doc in enumerate(doc["panels"], start=1):
        panel_doc["id"] = number_  # stable ids: links and alerts to a panel survive rebuilds
        if panel_doc.get("options") is None:
            panel_doc["options"] = {}  # the SDK leaves unset options as null
    return doc


def ops_overview() -> dict[str, Any]:
    return board(
        "dinarwatch-ops",
        "dinarwatch / Ops overview",
        "What is being screened, what is blocked, which rules and banks raise alerts.",
        [
            series(
                "Payments/s by decision",
                "How much traffic is screened and how it splits into pass, review and block.",
                "ops",
                q(f"sum by (decision) (rate(dinarwatch_payments_total[{RATE}]))", "{{decision}}"),
                stack=True,
            ),
            series(
                "Alerts/s by rule and severity",
                "Which rules fire, and how urgent their alerts are.",
                "ops",
                q(
                    f"sum by (rule, severity) (rate(dinarwatch_alerts_total[{RATE}]))",
                    "{{rule}} ({{severity}})",
                ),
            ),
            number(
                "Blocked USD (time range)",
                "US dollars stopped by a block decision in the selected time range.",
                "currencyUSD",
                q(
                    "sum(increase(dinarwatch_payment_amount_usd_total"
                    f'{{decision="block"}}[{RANGE}]))',
                    instant=True,
                ),
            ),
            number(
                "Alerts (time range)",
                "Alerts raised in the selected time range, all rules.",
                "short",
                q(f"sum(increase(dinarwatch_alerts_total[{RANGE}]))", instant=True),
            ),
            series(
                "USD amount/s by decision",
                "Dollar flow per decision: is blocked money a trickle or a flood?",
                "currencyUSD",
                q(
                    f"sum by (decision) (rate(dinarwatch_payment_amount_usd_total[{RATE}]))",
                    "{{decision}}",
                ),
            ),
            bars(
                "Alerts by rule (time range)",
                "Which rules raised the most alerts in the selected range.",
                "short",
                q(
                    f"sort_desc(sum by (rule) (increase(dinarwatch_alerts_total[{RANGE}])))",
                    "{{rule}}",
                    instant=True,
                ),
            ),
            bars(
                "Top flagged banks (time range)",
                "Debtor banks (BIC8) whose payments were most often sent to review or blocked.",
                "short",
                q(
                    "topk(10, sum by (bank) "
                    f"(increase(dinarwatch_flagged_payments_total[{RANGE}])))",
                    "{{bank}}",
                    instant=True,
                ),
            ),
            bars(
                "Top banks by USD volume (time range)",
                "Debtor banks (BIC8) sending the most US dollars, flagged or not.",
                "currencyUSD",
                q(
                    "topk(10, sum by (bank) "
                    f"(increase(dinarwatch_bank_usd_volume_total[{RANGE}])))",
                    "{{bank}}",
                    instant=True,
                ),
            ),
        ],
    )


def reference_lists() -> dict[str, Any]:
    return board(
        "dinarwatch-lists",
        "dinarwatch / Reference lists",
        "Which sanctions and CBI lists each worker screens against, their versions and age.",
        [
            bars(
                "Entries per list",
                "Size of each loaded list; a sudden drop means a truncated or failed load.",
                "short",
                q("max by (list) (dinarwatch_list_entries)", "{{list}}", instant=True),
            ),
            table.Panel()
            .title("Loaded versions")
            .description(
                "The version of each list the workers run; two rows for one list "
                "mean workers disagree (a reload has not reached every worker)."
            )
            .datasource(DS)
            .height(8)
            .span(12)
            .with_target(
                q("max by (list, version) (dinarwatch_list_info)", instant=True).format(
                    PromQueryFormat.TABLE
                )
            ),
            series(
                "Hours since last load (oldest worker)",
                "Time since each list was (re)loaded, on the worker that loaded it longest "
                "ago: a worker missing reloads. How old the list itself is (its publication "
                "date) is what DinarwatchReferenceListStale watches.",
                "h",
                q(
                    "(time() - min by (list) (dinarwatch_list_last_loaded_timestamp_seconds))"
                    " / 3600",
                    "{{list}}",
                ),
            ),
            series(
                "Entries over time",
                "List sizes across reloads: designations added or removed.",
                "short",
                q("max by (list) (dinarwatch_list_entries)", "{{list}}"),
            ),
        ],
    )


def _quantile(metric: str, quantile: str, by: str = "le") -> str:
    return f"histogram_quantile({quantile}, sum by ({by}) (rate({metric}_bucket[{RATE}])))"


def pipeline_health() -> dict[str, Any]:
    return board(
        "dinarwatch-pipeline",
        "dinarwatch / Pipeline health",
        "Is the pipeline keeping up, rejecting input, slow, or failing to tell people?",
        [
            number(
                "Workers up",
                "Worker processes Prometheus can scrape.",
                "short",
                q('sum(up{job="dinarwatch-worker"})', instant=True),
                span=4,
            ),
            number(
                "Notifier up",
                "1 when the notifier process is scraped.",
                "short",
                q('sum(up{job="dinarwatch-notifier"})', instant=True),
                span=4,
            ),
            number(
                "Records waiting",
                "Total consumer lag over every partition and worker.",
                "short",
                q("sum(dinarwatch_consumer_lag)", instant=True),
                span=4,
            ),
            series(
                "Consumer lag by topic",
                "Records written but not yet processed, per topic.",
                "short",
                q("sum by (topic) (dinarwatch_consumer_lag)", "{{topic}}"),
            ),
            series(
                "Consumer lag by partition",
                "A single hot partition points at a hot debtor key or a stuck worker.",
                "short",
                q(
                    "sum by (topic, partition) (dinarwatch_consumer_lag)",
                    "{{topic}}[{{partition}}]",
                ),
            ),
            series(
                "Dead letters/s by reason",
                "Records rejected to payments.dlq, by reason (malformed, too large, ...).",
                "ops",
                q(
                    f"sum by (reason) (rate(dinarwatch_dead_letters_total[{RATE}]))",
                    "{{reason}}",
                ),
            ),
            series(
                "Dead-letter share",
                "Share of incoming records rejected; over 5% the DeadLetterSpike alert fires.",
                "percentunit",
                q(
                    f"sum(rate(dinarwatch_dead_letters_total[{RATE}])) / "
                    f"(sum(rate(dinarwatch_payments_total[{RATE}])) + "
                    f"sum(rate(dinarwatch_dead_letters_total[{RATE}])))",
                    "rejected",
                ),
            ),
            series(
                "Screening time p50 / p99",
                "Wall-clock time to run the rules on one payment (dinarwatch_screening_seconds), "
                "and the CPU it took on average (dinarwatch_screening_cpu_seconds_total): "
                "a p50 far above the CPU mean means the worker waits for a core.",
                "s",
                q(_quantile("dinarwatch_screening_seconds", "0.5"), "p50"),
                q(_quantile("dinarwatch_screening_seconds", "0.99"), "p99", ref="B"),
                q(
                    f"sum(rate(dinarwatch_screening_cpu_seconds_total[{RATE}])) / "
                    f"sum(rate(dinarwatch_screening_seconds_count[{RATE}]))",
                    "CPU mean",
                    ref="C",
                ),
            ),
            series(
                "End-to-end latency p50 / p99",
                "Payment created_at (event time) to decision written: what the bank waits.",
                "s",
                q(_quantile("dinarwatch_end_to_end_seconds", "0.5"), "p50"),
                q(_quantile("dinarwatch_end_to_end_seconds", "0.99"), "p99", ref="B"),
            ),
            series(
                "Notifications/s by channel and outcome",
                "Alerts delivered, retried or parked per channel.",
                "ops",
                q(
                    f"sum by (channel, outcome) (rate(dinarwatch_notifications_total[{RATE}]))",
                    "{{channel}} {{outcome}}",
                ),
            ),
            series(
                "Notification delivery time p99",
                "How long one delivery attempt takes per channel (a slow SMTP server shows here).",
                "s",
                q(
                    _quantile("dinarwatch_notification_delivery_seconds", "0.99", "le, channel"),
                    "{{channel}}",
                ),
            ),
            number(
                "Parked alerts (time range)",
                "Alerts every attempt failed for, kept on alerts.retry and retried later.",
                "short",
                q(
                    f'sum(increase(dinarwatch_notifications_total{{outcome="parked"}}[{RANGE}]))',
                    instant=True,
                ),
            ),
            number(
                "Duplicate alerts dropped (time range)",
                "Alerts the notifier had already sent (replays, redeliveries).",
                "short",
                q(f"sum(increase(dinarwatch_notifier_duplicates_total[{RANGE}]))", instant=True),
            ),
        ],
    )


DASHBOARDS: dict[str, Callable[[], dict[str, Any]]] = {
    "ops-overview.json": ops_overview,
    "reference-lists.json": reference_lists,
    "pipeline-health.json": pipeline_health,
}


def render(build: Callable[[], dict[str, Any]]) -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for name, build in DASHBOARDS.items():
        path = OUT / name
        text = render(build)
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(f"stale dashboards (run build_dashboards.py): {stale}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
