"""report.html's drill-down: every alert under its rule's section, and the rejected records.

alerts.jsonl is read once; each alert becomes one table row (rendered at once, so memory holds
strings, not documents) under its rule, in event-time order. A rule's rows sit in a <details>
element under an anchor (#rule-<RULE>; each row #alert-<id>), so the page opens short and a
link or a browser search reaches any alert without a script. Past MAX_ALERTS_PER_RULE rows a
rule's table says how many more alerts.jsonl holds, which keeps a million-payment report
openable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import orjson

from offline.replay.htmlkit import code, money, num, rule_anchor, section, table

MAX_ALERTS_PER_RULE = 5_000
MAX_REJECT_ROWS = 5_000
OPEN_BELOW = 25
"""A rule with fewer alerts than this shows them open; longer lists start collapsed."""

ALERT_HEAD = ["Alert id", "Payment", "Amount", "Parties", "Action", "List entry", "List", "Why"]


@dataclass
class RuleRows:
    """One rule's rendered alert rows (up to the cap) and how many alerts it has."""

    rows: list[str] = field(default_factory=list)
    total: int = 0
    retro: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)


def rule_rows(alerts_path: Path, cap: int = MAX_ALERTS_PER_RULE) -> dict[str, RuleRows]:
    """Every alert of alerts.jsonl rendered as a row, grouped by rule (sorted by rule)."""
    grouped: dict[str, RuleRows] = {}
    for alert in _documents(alerts_path):
        rows = grouped.setdefault(alert["rule"], RuleRows())
        rows.total += 1
        retro = any(f.get("retro") for f in alert["findings"])
        rows.retro += retro
        rows.actions[alert["action"]] += 1
        rows.severities[alert["severity"]] += 1
        if len(rows.rows) < cap:
            rows.rows.append(alert_row(alert, retro))
    return dict(sorted(grouped.items()))


def alert_row(alert: dict[str, Any], retro: bool) -> str:
    """One alert: id, payment, amount, parties (accounts as masked in the alert), action and
    severity, the list entries and list versions its findings cite, and why."""
    p = alert["payment"]
    findings = alert["findings"]
    entries = _unique(
        f"{code(f.get('entry_id'))} {escape(f.get('entry_name') or '')}".strip()
        for f in findings
        if f.get("entry_id") and f.get("match_method") != "window"  # an episode, not a listing
    )
    lists = _unique(
        f"{escape(f['list'])} {code(f.get('list_version'))}".strip()
        for f in findings
        if f.get("list")
    )
    cells = [
        f"<code>{escape(alert['alert_id'])}</code>",
        f"{escape(p['payment_id'])}<br><small>value {escape(p['value_date'])}, created "
        f"{escape(p['created_at'])}</small>",
        f"{money(p['amount'])} {escape(p['currency'])}",
        _parties(p),
        f'<span class="{escape(alert["action"])}">{escape(alert["action"])}</span><br>'
        f"<small>{escape(alert['severity'])}</small>",
        "<br>".join(entries),
        "<br>".join(lists),
        "<br>".join(escape(f["explanation"]) for f in findings),
    ]
    klass = ' class="retro"' if retro else ""
    body = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr id="alert-{escape(alert["alert_id"])}"{klass}>{body}</tr>'


def _parties(p: dict[str, Any]) -> str:
    def side(name: str, account: str | None, bic: str | None) -> str:
        extra = ", ".join(escape(x) for x in (account, bic) if x)
        return f"{escape(name)}" + (f" <small>({extra})</small>" if extra else "")

    debtor = side(p["debtor_name"], p.get("debtor_account"), p.get("debtor_agent_bic"))
    creditor = side(p["creditor_name"], p.get("creditor_account"), p.get("creditor_agent_bic"))
    return f"{debtor}<br>→ {creditor}"


def _unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


def rule_sections(grouped: dict[str, RuleRows]) -> str:
    """One section per rule, anchored, with its alerts in a <details> table."""
    parts = []
    for rule, found in grouped.items():
        shown = len(found.rows)
        note = (
            f'<p class="muted">The first {shown:,} of {found.total:,} alerts are listed; all are '
            f"in alerts.jsonl.</p>"
            if shown < found.total
            else ""
        )
        tally = sorted(found.actions.items()) + sorted(found.severities.items())
        summary = f"{found.total:,} alert(s)" + (f", {found.retro:,} retro" if found.retro else "")
        summary += "".join(f", {k} {v:,}" for k, v in tally)
        head = "".join(f"<th>{escape(h)}</th>" for h in ALERT_HEAD)
        opened = " open" if found.total < OPEN_BELOW else ""
        body = (
            f'<p class="muted">{escape(summary)}. '
            f'<a href="#rules">Back to the rules</a>.</p>'
            f"<details{opened}><summary>Show the {shown:,} alert(s) of {escape(rule)}</summary>"
            f'<table class="alerts"><thead><tr>{head}</tr></thead><tbody>'
            f"{''.join(found.rows)}</tbody></table>{note}</details>"
        )
        parts.append(section(f"{rule}: {found.total:,} alert(s)", body, rule_anchor(rule)))
    return "".join(parts)


def rejected_section(rejects_path: Path, total: int, cap: int = MAX_REJECT_ROWS) -> str:
    """Every rejected record (up to the cap) with its origin: file:line, file#n or
    topic[partition]@offset, the reason, the detail, and the SHA-256 of its bytes."""
    if not total:
        return ""
    rows = []
    for i, doc in enumerate(_documents(rejects_path)):
        if i >= cap:
            break
        rows.append(
            [
                f"<code>{escape(doc['origin'])}</code>",
                escape(doc["reason"]),
                escape(doc.get("detail") or ""),
                f'<span class="hash">{escape(doc["sha256"])}</span>',
            ]
        )
    note = (
        f'<p class="muted">The first {len(rows):,} of {total:,} rejected records; all are in '
        "rejects.jsonl.</p>"
        if len(rows) < total
        else f'<p class="muted">{num(total)} record(s) could not be screened.</p>'
    )
    body = table(["Origin", "Reason", "Detail", "SHA-256 of the record"], rows, css="rejects")
    return section("Rejected records", note + body, "rejected")


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)
