"""The backtest in the terminal: one rich table per pack, then the differences between packs.

Drawn from report.json's "backtest" section, so the terminal and the report say the same.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

SHOWN_DIFFS = 20


def print_backtest(console: Console, backtest: dict[str, Any]) -> None:
    labels = backtest.get("labels")
    if labels is None:
        console.print("backtest: no --labels, every payment is unlabelled (alerts counted only)")
    for name, pack in backtest["packs"].items():
        console.print(score_table(name, pack))
        overall = pack["overall"]
        console.print(
            f"labelled payments {overall['payments_labelled']:,} "
            f"(exact {overall['payments_exact']:,}), unlabelled "
            f"{overall['payments_unlabelled']:,}, false blocks {overall['false_blocks']:,}",
            highlight=False,
        )
    if labels is not None and backtest["labels_not_screened"]:
        console.print(
            f"  {backtest['labels_not_screened']:,} label(s) name no screened payment "
            "(rejected records, or payments not in the input)",
            highlight=False,
        )
    if len(backtest["packs"]) > 1:
        print_differences(console, backtest)


def score_table(name: str, pack: dict[str, Any]) -> Table:
    table = Table(
        title=f"backtest: pack {name} ({pack['name']} {pack['version']})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("rule", "alerts", "TP", "FP", "FN", "precision", "recall", "no label"):
        if column == "rule":
            table.add_column(column, no_wrap=True, min_width=15)
        else:
            table.add_column(column, justify="right")
    for rule, score in pack["rules"].items():
        table.add_row(rule, *_cells(score))
    table.add_section()
    table.add_row("all rules", *_cells(pack["overall"]), style="bold")
    table.caption = (
        "TP true positives, FP false positives, FN misses (expected, not raised); no label: "
        "alerts on payments without a label; exact: payments that raised exactly the rules "
        "of their label"
    )
    return table


def _cells(score: dict[str, Any]) -> list[str]:
    return [
        f"{score['alerts']:,}",
        f"{score['tp']:,}",
        f"{score['fp']:,}",
        f"{score['fn']:,}",
        _ratio(score["precision"]),
        _ratio(score["recall"]),
        f"{score['unlabelled_alerts']:,}",
    ]


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f}%"


def print_differences(console: Console, backtest: dict[str, Any]) -> None:
    diffs = backtest["diff"]
    if not diffs:
        console.print("difference: the packs raise the same alerts on every payment")
        return
    table = Table(
        title=f"difference: {len(diffs):,} (payment, rule) raised by some packs only",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("raised only by")
    table.add_column("rule", no_wrap=True, min_width=15)
    table.add_column("payments", justify="right")
    for raised_by, per_rule in backtest["diff_summary"].items():
        for rule, n in per_rule.items():
            table.add_row(raised_by, rule, f"{n:,}")
    console.print(table)
    expected = {True: "expected", False: "not expected", None: "no label"}
    for d in diffs[:SHOWN_DIFFS]:
        console.print(
            f"  {d['payment_id']} {d['rule']}: only {', '.join(d['raised_by'])} "
            f"({expected[d['expected']]})",
            highlight=False,
            markup=False,
        )
    if len(diffs) > SHOWN_DIFFS:
        console.print(f"  … {len(diffs) - SHOWN_DIFFS:,} more in report.json (backtest.diff)")
