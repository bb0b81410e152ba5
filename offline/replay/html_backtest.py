"""report.html's backtest: per pack and rule, alerts, true and false positives, misses,
precision and recall against the labels; between packs, the payments one raises and another
does not. Drawn from report.json's "backtest" section only."""

from __future__ import annotations

from html import escape
from typing import Any

from offline.replay.htmlkit import (
    code,
    link,
    num,
    pack_anchor,
    ratio,
    rule_anchor,
    section,
    table,
)

MAX_DIFF_ROWS = 5_000
SCORE_HEAD = [
    "Rule",
    "Alerts",
    "True positives",
    "False positives",
    "Misses",
    "Precision",
    "Recall",
    "Alerts on unlabelled payments",
]


def backtest_section(backtest: dict[str, Any] | None, own_pack: str | None = None) -> str:
    """The whole backtest part, or nothing when the replay had no labels and one pack."""
    if backtest is None:
        return ""
    parts = [_labels(backtest)]
    for name, pack in backtest["packs"].items():
        parts.append(_pack(name, pack, linked=name == own_pack))
    if len(backtest["packs"]) > 1:
        parts.append(_differences(backtest))
    return section("Backtest against labels", "".join(parts), "backtest")


def _labels(backtest: dict[str, Any]) -> str:
    labels = backtest.get("labels")
    if labels is None:
        return (
            '<p class="muted">No labels were given: every payment is unlabelled, so the '
            "tables count alerts only; the differences between packs still hold.</p>"
        )
    return (
        f'<p class="muted">Labels {code(labels["file"])} (SHA-256 '
        f'<span class="hash">{escape(labels["sha256"])}</span>): {num(labels["labels"])} '
        f"labels, {num(labels['malformed_records'])} of records meant to be rejected; "
        f"{num(backtest['labels_not_screened'])} labels name no screened payment. A payment "
        "without a label is counted apart, never guessed.</p>"
    )


def _pack(name: str, pack: dict[str, Any], linked: bool) -> str:
    """One pack's score table: a row per rule (linked to the rule's alerts for the run's own
    pack), then all rules together."""
    rows, attrs = [], []
    for rule, score in pack["rules"].items():
        label = link(rule_anchor(rule), rule) if linked and score["alerts"] else escape(rule)
        rows.append(_score_row(label, score))
        attrs.append(f'data-pack="{escape(name)}" data-rule="{escape(rule)}"')
    overall = pack["overall"]
    rows.append(_score_row("<strong>all rules</strong>", overall))
    attrs.append(f'data-pack="{escape(name)}" data-rule="overall" class="total"')
    payments = (
        f'<p class="muted">Payments: {num(overall["payments_labelled"])} labelled, '
        f"{num(overall['payments_unlabelled'])} unlabelled (counted apart); "
        f"{num(overall['payments_exact'])} raised exactly the rules their label expects; "
        f"{num(overall['false_blocks'])} blocked although their label expects another "
        f"decision. Pack {escape(pack['name'])} {escape(pack['version'])} from "
        f"{code(pack['file'])}, alerts in {code(pack['alerts_file'])}.</p>"
    )
    body = table(SCORE_HEAD, rows, attrs, css="scores") + payments
    return f'<h3 id="{pack_anchor(name)}">Pack {escape(name)}</h3>{body}'


def _score_row(label: str, score: dict[str, Any]) -> list[str]:
    return [
        label,
        num(score["alerts"]),
        num(score["tp"]),
        num(score["fp"]),
        num(score["fn"]),
        ratio(score["precision"]),
        ratio(score["recall"]),
        num(score["unlabelled_alerts"]),
    ]


def _differences(backtest: dict[str, Any]) -> str:
    diffs = backtest["diff"]
    summary_rows = [
        [escape(raised_by), escape(rule), num(n)]
        for raised_by, per_rule in backtest["diff_summary"].items()
        for rule, n in per_rule.items()
    ]
    summary = table(["Raised only by", "Rule", "Payments"], summary_rows)
    expected = {True: "yes", False: "no", None: "no label"}
    rows = [
        [
            escape(d["payment_id"]),
            escape(d["rule"]),
            escape(", ".join(d["raised_by"])),
            escape(", ".join(d["not_raised_by"])),
            escape(expected[d["expected"]]),
        ]
        for d in diffs[:MAX_DIFF_ROWS]
    ]
    more = (
        f'<p class="muted">The first {MAX_DIFF_ROWS:,} of {len(diffs):,} differences; all are '
        "in report.json (backtest.diff).</p>"
        if len(diffs) > MAX_DIFF_ROWS
        else ""
    )
    detail = table(
        ["Payment", "Rule", "Raised by", "Not raised by", "Label expects it"], rows, css="diff"
    )
    verdict = (
        f"{len(diffs):,} (payment, rule) difference(s) between the packs"
        if diffs
        else "The packs raise the same alerts on every payment"
    )
    return f'<h3 id="backtest-diff">Differences between packs</h3><p>{escape(verdict)}.</p>' + (
        summary + f"<details><summary>Every difference</summary>{detail}{more}</details>"
    ) * bool(diffs)
