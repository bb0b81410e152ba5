"""Small HTML building blocks shared by the parts of report.html: tables, numbers, anchors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

import orjson


def section(title: str, body: str, anchor: str | None = None) -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{escape(title)}</h2>{body}</section>"


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_attrs: Sequence[str] = (),
    css: str = "",
) -> str:
    """A table of already-escaped cells; cells made by `num`/`money` are right-aligned."""
    if not rows:
        return '<p class="muted">None.</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for i, row in enumerate(rows):
        attrs = f" {row_attrs[i]}" if i < len(row_attrs) and row_attrs[i] else ""
        body.append(f"<tr{attrs}>" + "".join(cell(c) for c in row) + "</tr>")
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def cell(content: str) -> str:
    numeric = content.startswith('<span class="num">')
    return f'<td class="n">{content}</td>' if numeric else f"<td>{content}</td>"


def kv(doc: dict[str, Any]) -> str:
    return table(
        ["Field", "Value"],
        [[escape(str(k)), f"<code>{escape(plain(v))}</code>"] for k, v in sorted(doc.items())],
    )


def plain(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def num(value: int) -> str:
    return f'<span class="num">{value:,}</span>'


def ratio(value: float | None) -> str:
    """A precision or recall: 0.9871 -> 98.71%; undefined (nothing to divide) -> n/a."""
    return f'<span class="num">{"n/a" if value is None else f"{value * 100:.2f}%"}</span>'


def money(value: str) -> str:
    whole, _, cents = str(value).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f'<span class="num">{sign}{grouped}{"." + cents if cents else ""}</span>'


def fmt(value: Any) -> str:
    return money(value) if isinstance(value, str) else f"{value:,}"


def code(value: str | None) -> str:
    return f"<code>{escape(value)}</code>" if value else ""


def rule_anchor(rule: str) -> str:
    """The id of a rule's section: rule-CBI-USD-BAN (ids keep letters, digits, - and _)."""
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]+", "_", rule)


def pack_anchor(pack: str) -> str:
    return "backtest-" + re.sub(r"[^A-Za-z0-9_-]+", "_", pack)


def link(anchor: str, text: str) -> str:
    return f'<a href="#{escape(anchor)}">{escape(text)}</a>'
