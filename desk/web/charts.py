"""Charts as inline SVG, drawn on the server: no script, no external file, and they print.

Two shapes cover the dashboard: horizontal bars (one value per label) and stacked columns
(days along the bottom, one colour per series). Text is escaped; every chart carries a
<title> and a table-like legend so it reads without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = (
    "#1f5fa8",
    "#c0392b",
    "#2e8b57",
    "#d68910",
    "#7d3c98",
    "#138d90",
    "#7f8c8d",
    "#a04000",
    "#5d6d7e",
    "#b7950b",
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    shown: str
    """The value as printed beside the bar (e.g. a formatted amount)."""


def hbars(title: str, bars: Sequence[Bar], width: int = 560, row: int = 26) -> Markup:
    """One horizontal bar per label, longest scaled to the plot width."""
    label_w, value_w = 150, 110
    plot = width - label_w - value_w
    height = max(row * len(bars), row) + 8
    top = max((Decimal(b.value) for b in bars), default=Decimal(0))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    if not bars:
        parts.append(f'<text x="4" y="{row - 8}" class="empty">nothing yet</text>')
    for i, bar in enumerate(bars):
        y = 4 + i * row
        length = 0 if top == 0 else int(Decimal(bar.value) / top * plot)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row - 10}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>'
            f'<text x="{label_w + length + 6}" y="{y + row - 10}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated value went through escape()


def stacked_columns(
    title: str,
    days: Sequence[str],
    series: dict[str, Sequence[int]],
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Columns per day, stacked by series (e.g. alerts per rule per day), with a legend."""
    left, bottom, top_pad = 40, 36, 10
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    peak = max(totals, default=0) or 1
    column = plot_w / max(len(days), 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        x = left + i * column
        base = float(top_pad + plot_h)
        for j, (name, values) in enumerate(series.items()):
            value = values[i]
            if not value:
                continue
            h = value / peak * plot_h
            base -= h
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{base:.1f}" width="{max(column - 4, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(day)} {escape(name)}: {value}</title></rect>"
            )
        if len(days) <= 16 or i % 2 == 0:
            parts.append(
                f'<text x="{x + column / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" class="tick">{escape(day[5:])}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[j % len(PALETTE)]}"></span>'
        f"{escape(name)} ({sum(values)})</li>"
        for j, (name, values) in enumerate(series.items())
    )
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')  # noqa: S704 - escaped above
