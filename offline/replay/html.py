"""report.html: one self-contained page an auditor can open offline, follow and print.

No network, no JavaScript, no external CSS or fonts: tables and inline SVG charts drawn here in
Python from report.json's figures, alerts.jsonl and rejects.jsonl, with print CSS. The page goes
from the summary to each rule's section (#rule-<RULE>) and from there to every alert
(#alert-<id>), the rejected records with their origin (#rejected), and the backtest when the
replay had labels or several packs (#backtest). Like report.json it holds no wall-clock time, so
it is byte-identical between identical runs.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from offline.replay.charts import (
    colors,
    day_buckets,
    hbar_chart,
    minute_buckets,
    month_buckets,
    stacked_columns,
)
from offline.replay.html_alerts import RuleRows, rejected_section, rule_rows, rule_sections
from offline.replay.html_backtest import backtest_section
from offline.replay.htmlkit import (
    code,
    fmt,
    kv,
    link,
    money,
    num,
    ratio,
    rule_anchor,
    section,
    table,
)

MAX_DIFF_ROWS = 500
MAX_BANK_ROWS = 200

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",
sans-serif;color:#1a1a1a;margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;background:#fafafa}
table.alerts{font-size:12px}
table.alerts td:first-child code{font-size:11px;display:inline-block;width:16ch}
code,.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
small{color:#555}
details{margin:6px 0 12px}summary{cursor:pointer;color:#2166ac}
nav{font-size:13px;margin:8px 0}nav a{margin-right:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;min-width:120px}
.card dt{font-size:12px;color:#555}.card dd{margin:0;font-size:20px;font-weight:600}
.block{color:#b2182b}.review{color:#b35806}.retro{background:#fff3cd}
.muted{color:#666;font-size:12px}svg{max-width:100%;height:auto}svg text{font-size:11px}
svg text.tick2{fill:#555}:target{outline:2px solid #e08214}
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}nav{display:none}
table,svg,.cards{break-inside:avoid}table.alerts,table.rejects,table.diff{break-inside:auto}
a{color:inherit;text-decoration:none}details::details-content{content-visibility:visible}
details>summary{display:none}}
@page{size:A4;margin:14mm}
"""


def write_html(path: Path, report: dict[str, Any], out_dir: Path) -> None:
    """Write the page for `report` (report.json's document) from the JSONL outputs in
    `out_dir` (alerts.jsonl, rejects.jsonl)."""
    grouped = rule_rows(out_dir / "alerts.jsonl")
    rejected = rejected_section(out_dir / "rejects.jsonl", report["counts"]["rejected"])
    path.write_text(render(report, grouped, rejected), "utf-8")


def render(report: dict[str, Any], grouped: dict[str, RuleRows], rejected: str = "") -> str:
    counts = report["counts"]
    backtest = report.get("backtest")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>dinarwatch replay report</title>",
        f"<style>{CSS}</style></head><body>",
        '<h1 id="top">dinarwatch replay report</h1>',
        _subtitle(report),
        _nav(report, grouped),
        _cards(report),
        section("Alerts over time", _timeline(counts), "timeline"),
        section("Alerts by rule", _rules(report, grouped), "rules"),
        backtest_section(backtest, _own_pack(backtest)),
        rule_sections(grouped),
        section("Alerts by sending bank (debtor agent)", _banks(counts["by_bank"]), "banks"),
        section("Decisions and amounts", _decisions(report), "decisions"),
        section("By currency", _currencies(counts["by_currency"]), "currencies"),
        section("Listed entries hit", _entries(counts["alerts_by_list_entry"]), "entries"),
        _compare(report.get("compare")),
        rejected,
        section("Run parameters", kv(report["parameters"]), "parameters"),
        section("Software", _software(report.get("software")), "software"),
        section("Input", _input(report["input"], report["ordering"]), "input"),
        section("Rule pack", kv(report["rule_pack"]), "pack"),
        section("Reference lists", _lists(report["lists"]), "lists"),
        section("Output files", _outputs(report["outputs"]), "outputs"),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _own_pack(backtest: dict[str, Any] | None) -> str | None:
    """The backtest name of the pack whose alerts the page lists (alerts.jsonl)."""
    if backtest is None:
        return None
    return next(
        (n for n, p in backtest["packs"].items() if p.get("alerts_file") == "alerts.jsonl"), None
    )


def _nav(report: dict[str, Any], grouped: dict[str, RuleRows]) -> str:
    links = [link("rules", "Rules")]
    if report.get("backtest") is not None:
        links.append(link("backtest", "Backtest"))
    links += [link(rule_anchor(rule), rule) for rule in grouped]
    links += [link("banks", "Banks"), link("decisions", "Decisions")]
    if report["counts"]["rejected"]:
        links.append(link("rejected", "Rejected records"))
    links += [link("parameters", "Parameters"), link("lists", "Lists"), link("software", "Version")]
    return f"<nav>{' '.join(links)}</nav>"


def _software(software: dict[str, Any] | None) -> str:
    if software is None:
        return '<p class="muted">Not recorded.</p>'
    return kv(software)


# --- page parts -------------------------------------------------------------------------------


def _subtitle(report: dict[str, Any]) -> str:
    params, period = report["parameters"], report["period"]
    mode = (
        "lists as they stood on each payment's value date"
        if params["as_of"] == "value-date"
        else f"retro-screening: lists as they stand on {params['as_of']}"
    )
    return (
        f'<p class="muted">Mode: {escape(mode)}. Payments created '
        f"{escape(str(period['first_created_at']))} to {escape(str(period['last_created_at']))}; "
        f"value dates {escape(str(period['first_value_date']))} to "
        f"{escape(str(period['last_value_date']))}. Rule pack "
        f"{escape(report['rule_pack']['name'])} {escape(report['rule_pack']['version'])}. "
        f"{escape(_made_by(report.get('software')))}.</p>"
    )


def _made_by(software: dict[str, Any] | None) -> str:
    if software is None:
        return "dinarwatch version not recorded"
    commit = f", commit {software['commit']}" if software.get("commit") else ""
    return f"Made by dinarwatch {software['version']}{commit}"


def _cards(report: dict[str, Any]) -> str:
    counts, amounts = report["counts"], report["amounts"]
    cards = [
        ("payments", "Payments screened", counts["payments"]),
        ("rejected", "Records rejected", counts["rejected"]),
        ("alerts", "Alerts", counts["alerts"]),
        ("block", "Blocked payments", counts["decisions"]["block"]),
        ("review", "Payments for review", counts["decisions"]["review"]),
        ("retro", "Retro alerts", counts["retro_alerts"]),
        ("usd-blocked", "USD blocked", amounts["usd_by_decision"]["block"]),
    ]
    items = "".join(
        f'<div class="card"><dl><dt>{escape(label)}</dt>'
        f'<dd data-metric="{key}" data-value="{escape(str(value))}">{fmt(value)}</dd></dl></div>'
        for key, label, value in cards
    )
    return f'<div class="cards">{items}</div>'


def _rules(report: dict[str, Any], grouped: dict[str, RuleRows]) -> str:
    """The summary per rule: a chart, then a table whose rule names lead to each rule's alerts
    (with the run's own pack's precision and recall when there are labels)."""
    counts, amounts, backtest = report["counts"], report["amounts"], report.get("backtest")
    rows = sorted(counts["alerts_by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))
    chart = hbar_chart(list(rows), colors(counts["alerts_by_rule"]))
    own = _own_pack(backtest)
    scores = backtest["packs"][own]["rules"] if backtest is not None and own else None
    head = ["Rule", "Alerts", "Block", "Review", "Retro", "USD amount alerted"]
    if scores is not None:
        head += ["Precision", "Recall"]
    body = []
    for rule, n in rows:
        found = grouped.get(rule, RuleRows())
        row = [
            link(rule_anchor(rule), rule),
            num(n),
            num(found.actions.get("block", 0)),
            num(found.actions.get("review", 0)),
            num(counts["retro_alerts_by_rule"].get(rule, 0)),
            money(amounts["usd_alerted_by_rule"].get(rule, "0")),
        ]
        if scores is not None:
            score = scores.get(rule, {})
            row += [ratio(score.get("precision")), ratio(score.get("recall"))]
        body.append(row)
    table_html = table(
        head, body, row_attrs=[f'data-rule="{escape(r)}" data-alerts="{n}"' for r, n in rows]
    )
    severity = table(
        ["Severity", "Alerts"],
        [[escape(k), num(v)] for k, v in counts["alerts_by_severity"].items()],
    )
    return chart + table_html + severity


def _banks(banks: dict[str, Any]) -> str:
    """Sending banks, a bank named with and without its BIC counted once (report.py merges
    them by name); the chart shows the 20 with the most alerts."""
    rows = sorted(banks.values(), key=lambda b: (-b["alerts"], -b["payments"], b["bank"]))
    flagged = [b for b in rows if b["alerts"]][:20]
    chart = hbar_chart([(_bank_label(b), b["alerts"]) for b in flagged], {}) if flagged else ""
    body = []
    for b in rows[:MAX_BANK_ROWS]:
        others = [n for n in b.get("names", []) if n != b["name"]]
        body.append(
            [
                code(b["bank"]) if not b["bank"].startswith("name:") else "<small>no BIC</small>",
                escape(b["name"])
                + (f"<br><small>also: {escape('; '.join(others))}</small>" if others else ""),
                num(b["payments"]),
                num(b.get("payments_without_bic", 0)),
                num(b["alerts"]),
                num(b["blocked"]),
                num(b["reviewed"]),
            ]
        )
    head = ["Bank (BIC8)", "Name", "Payments", "Of which without BIC", "Alerts", "Blocked"]
    more = (
        f'<p class="muted">{len(rows) - MAX_BANK_ROWS:,} more banks in report.json.</p>'
        if len(rows) > MAX_BANK_ROWS
        else ""
    )
    return chart + table([*head, "Review"], body) + more


def _bank_label(bank: dict[str, Any]) -> str:
    key = "" if bank["bank"].startswith("name:") else bank["bank"]
    return f"{key} {bank['name']}".strip()


def _decisions(report: dict[str, Any]) -> str:
    counts, amounts = report["counts"], report["amounts"]
    rows = [
        [escape(k), num(counts["decisions"][k]), money(amounts["usd_by_decision"][k])]
        for k in ("pass", "review", "block")
    ]
    decided = table(["Decision", "Payments", "USD amount"], rows)
    alerted = table(
        ["Rule", "USD amount of alerted payments"],
        [[escape(k), money(v)] for k, v in amounts["usd_alerted_by_rule"].items()],
    )
    rejected = table(
        ["Rejection reason", "Records"],
        [[escape(k), num(v)] for k, v in counts["rejected_by_reason"].items()],
    )
    return decided + alerted + (rejected if counts["rejected"] else "")


def _currencies(currencies: dict[str, Any]) -> str:
    return table(
        ["Currency", "Payments", "Amount", "Flagged payments", "Flagged amount"],
        [
            [
                escape(c),
                num(r["payments"]),
                money(r["amount"]),
                num(r["flagged_payments"]),
                money(r["flagged_amount"]),
            ]
            for c, r in currencies.items()
        ],
    )


def _entries(entries: dict[str, int]) -> str:
    rows = sorted(entries.items(), key=lambda kv: (-kv[1], kv[0]))
    return table(["List entry", "Alerts"], [[f"<code>{escape(k)}</code>", num(v)] for k, v in rows])


def _compare(comparison: dict[str, Any] | None) -> str:
    if comparison is None:
        return ""
    summary = table(
        ["Live alerts", "Replay alerts", "Identical", "Missing", "Extra", "Changed"],
        [
            [
                num(comparison[k])
                for k in (
                    "live_alerts",
                    "replay_alerts",
                    "identical",
                    "missing",
                    "extra",
                    "changed",
                )
            ]
        ],
    )
    diffs = table(
        ["Kind", "Alert id", "Rule", "Payment", "Reasons"],
        [
            [
                escape(d["kind"]),
                f"<code>{escape(d['alert_id'])}</code>",
                escape(d["rule"]),
                escape(d["payment_id"]),
                "<br>".join(escape(r) for r in d["reasons"]),
            ]
            for d in comparison["differences"][:MAX_DIFF_ROWS]
        ],
    )
    verdict = "no differences" if not comparison["differences"] else "differences found"
    return section(f"Comparison with live alerts: {verdict}", summary + diffs)


def _input(source: dict[str, Any], ordering: dict[str, Any]) -> str:
    if source["kind"] == "files":
        shown = table(
            ["File", "Bytes", "Records", "SHA-256"],
            [
                [
                    escape(f["path"]),
                    num(f["bytes"]),
                    num(f["records"]),
                    f'<span class="hash">{escape(f["sha256"])}</span>',
                ]
                for f in source["files"]
            ],
        )
    else:
        shown = kv({k: v for k, v in source.items() if k != "partitions"}) + table(
            ["Partition", "Start offset", "End offset (exclusive)"],
            [
                [escape(p), num(o["start_offset"]), num(o["end_offset"])]
                for p, o in source["partitions"].items()
            ],
        )
    return shown + kv(ordering)


def _lists(lists: dict[str, Any]) -> str:
    return table(
        ["List", "Version", "Entries", "SHA-256", "Source", "Manifest"],
        [
            [
                escape(n),
                f"<code>{escape(v['version'])}</code>",
                num(v["entries"]),
                f'<span class="hash">{escape(v["sha256"])}</span>',
                escape(v["source"]),
                _manifest(v.get("manifest")),
            ]
            for n, v in lists.items()
        ],
    )


def _outputs(outputs: dict[str, Any]) -> str:
    return table(
        ["File", "SHA-256"],
        [
            [escape(n), f'<span class="hash">{escape(o["sha256"])}</span>']
            for n, o in outputs.items()
        ],
    )


# --- alerts over time ---------------------------------------------------------------------------


def _timeline(counts: dict[str, Any]) -> str:
    """Columns per value-date day, every day of the period (per month beyond 92 days); when the
    payments span fewer than 3 value dates, per created_at bucket of a width that gives a short
    feed a shape (report.py `created_buckets`)."""
    by_day: dict[str, dict[str, int]] = counts["alerts_by_value_date"]
    if not by_day:
        return '<p class="muted">No alerts.</p>'
    days = sorted(by_day)
    created = counts.get("alerts_by_created_time")
    if len(day_buckets(days[0], days[-1])) < 3 and created and created["buckets"]:
        width, by_time = created["bucket_minutes"], created["buckets"]
        keys = sorted(by_time)
        buckets = minute_buckets(keys[0], keys[-1], width)
        unit = f"{_duration(width)} of created_at (UTC)"
        return _columns(by_time, buckets, lambda k: k, unit)
    if len(day_buckets(days[0], days[-1])) > 92:
        months = month_buckets(days[0], days[-1])
        return _columns(by_day, months, lambda k: k[:7], "value-date month")
    return _columns(by_day, day_buckets(days[0], days[-1]), lambda k: k, "value date")


def _columns(
    counts: dict[str, dict[str, int]],
    buckets: list[str],
    bucket: Callable[[str], str],
    unit: str,
) -> str:
    rules = sorted({r for per_rule in counts.values() for r in per_rule})
    series = {r: [0] * len(buckets) for r in rules}
    index = {b: i for i, b in enumerate(buckets)}
    for key, per_rule in counts.items():
        for rule, n in per_rule.items():
            series[rule][index[bucket(key)]] += n
    return (
        stacked_columns(buckets, series)
        + f'<p class="muted">One column per {unit}; hover a column for its counts.</p>'
    )


def _duration(minutes: int) -> str:
    """60 -> "hour", 15 -> "15 minutes", 1440 -> "day", 120 -> "2 hours"."""
    for size, name in ((10080, "week"), (1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            n = minutes // size
            return name if n == 1 else f"{n} {name}s"
    return f"{minutes} minutes"


def _manifest(manifest: dict[str, Any] | None) -> str:
    """The list's manifest entry (where it came from, when fetched, its hash), name aside."""
    if not manifest:
        return ""
    return "<br>".join(
        f"{escape(k)}: <code>{escape(str(v))}</code>"
        for k, v in sorted(manifest.items())
        if k != "name"
    )
