"""report.html: one self-contained page an auditor can open offline and print.

No network, no JavaScript, no external CSS or fonts: tables and inline SVG charts drawn here in
Python from report.json's figures (and the first alerts of alerts.jsonl), with print CSS. Like
report.json it holds no wall-clock time, so it is byte-identical between identical runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import orjson

MAX_ALERT_ROWS = 500
PALETTE = ("#b2182b", "#2166ac", "#e08214", "#1b7837", "#762a83", "#8c510a", "#01665e", "#4d4d4d")

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",
sans-serif;color:#1a1a1a;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;min-width:120px}
.card dt{font-size:12px;color:#555}.card dd{margin:0;font-size:20px;font-weight:600}
.block{color:#b2182b}.review{color:#b35806}.retro{background:#fff3cd}
.muted{color:#666;font-size:12px}svg{max-width:100%;height:auto}svg text{font-size:11px}
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}
table,svg,.cards{break-inside:avoid}a{color:inherit;text-decoration:none}}
@page{size:A4;margin:14mm}
"""


def write_html(path: Path, report: dict[str, Any], alerts_path: Path | None) -> None:
    """Write the page for `report` (report.json's document) next to the JSONL outputs."""
    alerts = list(_first_alerts(alerts_path, MAX_ALERT_ROWS)) if alerts_path else []
    path.write_text(render(report, alerts), "utf-8")


def render(report: dict[str, Any], alerts: Sequence[dict[str, Any]]) -> str:
    counts = report["counts"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>dinarwatch replay report</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>dinarwatch replay report</h1>",
        _subtitle(report),
        _cards(report),
        _section("Alerts over time", _timeline(counts)),
        _section("Alerts by rule", _rules(counts)),
        _section("Alerts by sending bank (debtor agent)", _banks(counts["by_bank"])),
        _section("Decisions and amounts", _decisions(report)),
        _section("By currency", _currencies(counts["by_currency"])),
        _section("Listed entries hit", _entries(counts["alerts_by_list_entry"])),
        _compare(report.get("compare")),
        _section("Alerts", _alert_table(alerts, counts["alerts"])),
        _section("Run parameters", _kv(report["parameters"])),
        _section("Input", _input(report["input"], report["ordering"])),
        _section("Rule pack", _kv(report["rule_pack"])),
        _section("Reference lists", _lists(report["lists"])),
        _section("Output files", _outputs(report["outputs"])),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


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
        f"{escape(report['rule_pack']['name'])} {escape(report['rule_pack']['version'])}.</p>"
    )


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
        f'<dd data-metric="{key}" data-value="{escape(str(value))}">{_fmt(value)}</dd></dl></div>'
        for key, label, value in cards
    )
    return f'<div class="cards">{items}</div>'


def _rules(counts: dict[str, Any]) -> str:
    rows = sorted(counts["alerts_by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))
    chart = hbar_chart([(r, n) for r, n in rows], _colors(counts["alerts_by_rule"]))
    table = _table(
        ["Rule", "Alerts", "Retro"],
        [[escape(r), _num(n), _num(counts["retro_alerts_by_rule"].get(r, 0))] for r, n in rows],
        row_attrs=[f'data-rule="{escape(r)}" data-alerts="{n}"' for r, n in rows],
    )
    severity = _table(
        ["Severity", "Alerts"],
        [[escape(k), _num(v)] for k, v in counts["alerts_by_severity"].items()],
    )
    return chart + table + severity


def _banks(banks: dict[str, Any]) -> str:
    rows = sorted(banks.values(), key=lambda b: (-b["alerts"], -b["payments"], b["bank"]))
    flagged = [b for b in rows if b["alerts"]][:20]
    chart = hbar_chart([(_bank_label(b), b["alerts"]) for b in flagged], {}) if flagged else ""
    table = _table(
        ["Bank (BIC8)", "Name", "Payments", "Alerts", "Blocked", "Review"],
        [
            [
                f"<code>{escape(b['bank'])}</code>",
                escape(b["name"]),
                _num(b["payments"]),
                _num(b["alerts"]),
                _num(b["blocked"]),
                _num(b["reviewed"]),
            ]
            for b in rows[:50]
        ],
    )
    more = (
        f'<p class="muted">{len(rows) - 50} more banks in report.json.</p>'
        if len(rows) > 50
        else ""
    )
    return chart + table + more


def _decisions(report: dict[str, Any]) -> str:
    counts, amounts = report["counts"], report["amounts"]
    rows = [
        [escape(k), _num(counts["decisions"][k]), _money(amounts["usd_by_decision"][k])]
        for k in ("pass", "review", "block")
    ]
    table = _table(["Decision", "Payments", "USD amount"], rows)
    alerted = _table(
        ["Rule", "USD amount of alerted payments"],
        [[escape(k), _money(v)] for k, v in amounts["usd_alerted_by_rule"].items()],
    )
    rejected = _table(
        ["Rejection reason", "Records"],
        [[escape(k), _num(v)] for k, v in counts["rejected_by_reason"].items()],
    )
    return table + alerted + (rejected if counts["rejected"] else "")


def _currencies(currencies: dict[str, Any]) -> str:
    return _table(
        ["Currency", "Payments", "Amount", "Flagged payments", "Flagged amount"],
        [
            [
                escape(c),
                _num(r["payments"]),
                _money(r["amount"]),
                _num(r["flagged_payments"]),
                _money(r["flagged_amount"]),
            ]
            for c, r in currencies.items()
        ],
    )


def _entries(entries: dict[str, int]) -> str:
    rows = sorted(entries.items(), key=lambda kv: (-kv[1], kv[0]))
    return _table(
        ["List entry", "Alerts"], [[f"<code>{escape(k)}</code>", _num(v)] for k, v in rows]
    )


def _compare(comparison: dict[str, Any] | None) -> str:
    if comparison is None:
        return ""
    summary = _table(
        ["Live alerts", "Replay alerts", "Identical", "Missing", "Extra", "Changed"],
        [
            [
                _num(comparison[k])
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
    diffs = _table(
        ["Kind", "Alert id", "Rule", "Payment", "Reasons"],
        [
            [
                escape(d["kind"]),
                f"<code>{escape(d['alert_id'])}</code>",
                escape(d["rule"]),
                escape(d["payment_id"]),
                "<br>".join(escape(r) for r in d["reasons"]),
            ]
            for d in comparison["differences"][:MAX_ALERT_ROWS]
        ],
    )
    verdict = "no differences" if not comparison["differences"] else "differences found"
    return _section(f"Comparison with live alerts: {verdict}", summary + diffs)


def _alert_table(alerts: Sequence[dict[str, Any]], total: int) -> str:
    rows, attrs = [], []
    for a in alerts:
        retro = any(f.get("retro") for f in a["findings"])
        p = a["payment"]
        rows.append(
            [
                escape(p["value_date"]),
                escape(a["rule"]),
                f'<span class="{escape(a["action"])}">{escape(a["action"])}</span>',
                escape(a["severity"]),
                escape(p["payment_id"]),
                f"{_money(p['amount'])} {escape(p['currency'])}",
                "<br>".join(escape(f["explanation"]) for f in a["findings"]),
            ]
        )
        attrs.append('class="retro"' if retro else "")
    note = (
        f'<p class="muted">First {len(alerts)} of {total} alerts in event-time order; all are in '
        f"alerts.jsonl. Retro findings are shaded.</p>"
    )
    head = ["Value date", "Rule", "Action", "Severity", "Payment", "Amount", "Why"]
    return note + _table(head, rows, attrs)


def _input(source: dict[str, Any], ordering: dict[str, Any]) -> str:
    if source["kind"] == "files":
        table = _table(
            ["File", "Bytes", "Records", "SHA-256"],
            [
                [
                    escape(f["path"]),
                    _num(f["bytes"]),
                    _num(f["records"]),
                    f'<span class="hash">{escape(f["sha256"])}</span>',
                ]
                for f in source["files"]
            ],
        )
    else:
        table = _kv({k: v for k, v in source.items() if k != "partitions"}) + _table(
            ["Partition", "Start offset", "End offset (exclusive)"],
            [
                [escape(p), _num(o["start_offset"]), _num(o["end_offset"])]
                for p, o in source["partitions"].items()
            ],
        )
    return table + _kv(ordering)


def _lists(lists: dict[str, Any]) -> str:
    return _table(
        ["List", "Version", "Entries", "SHA-256", "Source"],
        [
            [
                escape(n),
                f"<code>{escape(v['version'])}</code>",
                _num(v["entries"]),
                f'<span class="hash">{escape(v["sha256"])}</span>',
                escape(v["source"]),
            ]
            for n, v in lists.items()
        ],
    )


def _outputs(outputs: dict[str, Any]) -> str:
    return _table(
        ["File", "SHA-256"],
        [
            [escape(n), f'<span class="hash">{escape(o["sha256"])}</span>']
            for n, o in outputs.items()
        ],
    )


# --- charts -----------------------------------------------------------------------------------


def hbar_chart(items: Sequence[tuple[str, int]], colors: dict[str, str], width: int = 760) -> str:
    """Horizontal bars, one per (label, value); labels left, values at the bar's end."""
    if not items:
        return '<p class="muted">Nothing to chart.</p>'
    label_w, row_h, top = 260, 22, 6
    peak = max(v for _, v in items) or 1
    span = width - label_w - 60
    bars = []
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, span * value / peak) if value else 0.0
        color = colors.get(label, PALETTE[1])
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(_clip(label, 40))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{value:,}</text>'
        )
    height = top * 2 + row_h * len(items)
    return _svg(width, height, "".join(bars), "bar chart")


def stacked_columns(
    buckets: Sequence[str], series: dict[str, list[int]], width: int = 1000, height: int = 260
) -> str:
    """Stacked columns over time buckets, one colour per series, with a legend."""
    left, bottom, top = 44, 40, 26
    totals = [sum(values[i] for values in series.values()) for i in range(len(buckets))]
    peak = max(totals, default=0) or 1
    plot_h = height - bottom - top
    step = (width - left - 10) / max(len(buckets), 1)
    colors = _colors(series)
    shapes = [_axis(left, top, plot_h, width, peak)]
    for i, bucket in enumerate(buckets):
        base = float(top + plot_h)
        for name, values in series.items():
            h = plot_h * values[i] / peak
            if h > 0:
                shapes.append(
                    f'<rect x="{left + i * step + 1:.1f}" y="{base - h:.1f}" '
                    f'width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="{colors[name]}">'
                    f"<title>{escape(bucket)} {escape(name)}: {values[i]}</title></rect>"
                )
                base -= h
        shapes.append(_tick(bucket, i, step, left + (i + 0.5) * step, top + plot_h))
    shapes.append(_legend(list(series), colors, left))
    return _svg(width, height, "".join(shapes), "alerts over time")


def _timeline(counts: dict[str, Any]) -> str:
    """Columns per value-date day (per month beyond 92 days; per created_at hour when the
    payments span fewer than 3 value dates, so that a short feed still shows a shape)."""
    by_day: dict[str, dict[str, int]] = counts["alerts_by_value_date"]
    if not by_day:
        return '<p class="muted">No alerts.</p>'
    if len(by_day) < 3:
        return _columns(counts["alerts_by_created_hour"], _hour, "created_at hour (UTC)")
    if len(by_day) > 92:
        return _columns(by_day, lambda k: k[:7], "value-date month")
    return _columns(by_day, lambda k: k, "value date")


def _hour(key: str) -> str:
    """2025-06-02T06 -> 06-02 06h: short enough to label many columns."""
    return f"{key[5:10]} {key[11:13]}h"


def _columns(counts: dict[str, dict[str, int]], bucket: Callable[[str], str], unit: str) -> str:
    buckets = sorted({bucket(k) for k in counts})
    rules = sorted({r for per_rule in counts.values() for r in per_rule})
    series = {r: [0] * len(buckets) for r in rules}
    index = {b: i for i, b in enumerate(buckets)}
    for key, per_rule in counts.items():
        for rule, n in per_rule.items():
            series[rule][index[bucket(key)]] += n
    return stacked_columns(buckets, series) + f'<p class="muted">One column per {unit}.</p>'


def _axis(left: int, top: int, plot_h: float, width: int, peak: int) -> str:
    bottom = top + plot_h
    return (
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#888"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#888"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:,}</text>'
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">0</text>'
    )


def _tick(label: str, i: int, step: float, x: float, y: float) -> str:
    """Label every k-th column, k chosen so that labels (about 6.5 px a character) never overlap."""
    every = max(1, math.ceil((len(label) * 6.5 + 10) / step))
    if i % every:
        return ""
    return f'<text x="{x:.1f}" y="{y + 14}" text-anchor="middle">{escape(label)}</text>'


def _legend(names: Sequence[str], colors: dict[str, str], left: int) -> str:
    items, x = [], float(left)
    for name in names:
        items.append(
            f'<rect x="{x:.0f}" y="4" width="10" height="10" fill="{colors[name]}"/>'
            f'<text x="{x + 14:.0f}" y="13">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return "".join(items)


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def _colors(names: Iterable[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(names))}


# --- helpers ----------------------------------------------------------------------------------


def _section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], row_attrs: Sequence[str] = ()
) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for i, row in enumerate(rows):
        attrs = f" {row_attrs[i]}" if i < len(row_attrs) and row_attrs[i] else ""
        body.append(f"<tr{attrs}>" + "".join(_cell(c) for c in row) + "</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(content: str) -> str:
    numeric = content.startswith('<span class="num">')
    return f'<td class="n">{content}</td>' if numeric else f"<td>{content}</td>"


def _kv(doc: dict[str, Any]) -> str:
    return _table(
        ["Field", "Value"],
        [[escape(str(k)), f"<code>{escape(_plain(v))}</code>"] for k, v in sorted(doc.items())],
    )


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _num(value: int) -> str:
    return f'<span class="num">{value:,}</span>'


def _money(value: str) -> str:
    whole, _, cents = str(value).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f'<span class="num">{sign}{grouped}{"." + cents if cents else ""}</span>'


def _fmt(value: Any) -> str:
    return _money(value) if isinstance(value, str) else f"{value:,}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _bank_label(bank: dict[str, Any]) -> str:
    return f"{bank['bank']} {bank['name']}".strip()


def _first_alerts(path: Path, limit: int) -> Iterable[dict[str, Any]]:
    with path.open("rb") as handle:
        for i, line in enumerate(handle):
            if i >= limit:
                return
            yield orjson.loads(line)
