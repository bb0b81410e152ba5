"""Inline SVG charts for report.html, drawn in Python: no script, no fonts fetched, stable bytes.

Text is measured with a fixed estimate (CHAR_W px a character at 11 px) so that labels get the
room they need instead of being cut: a bar chart's label column is as wide as its longest label,
a legend wraps onto further rows, a time axis labels only as many ticks as fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from html import escape

PALETTE = ("#b2182b", "#2166ac", "#e08214", "#1b7837", "#762a83", "#8c510a", "#01665e", "#4d4d4d")
CHAR_W = 6.2
"""Width of a lower-case character of 11 px sans-serif text, a little generous."""
_WIDE = 7.9
MAX_LABEL_W = 460


def text_width(text: str) -> float:
    """Estimated width at 11 px: capitals, digits and wide letters take more room."""
    return sum(_WIDE if c.isupper() or c.isdigit() or c in "mwMW@%" else CHAR_W for c in text)


def colors(names: Iterable[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(names))}


def hbar_chart(items: Sequence[tuple[str, int]], palette: dict[str, str], width: int = 1000) -> str:
    """Horizontal bars, one per (label, value); full labels left (wrapped, never cut), values at
    the bar's end."""
    if not items:
        return '<p class="muted">Nothing to chart.</p>'
    per_line = int(MAX_LABEL_W / _WIDE)
    wrapped = [_wrap(label, per_line) for label, _ in items]
    label_w = min(MAX_LABEL_W, max(text_width(line) for lines in wrapped for line in lines)) + 10
    peak = max(v for _, v in items) or 1
    span = width - label_w - 70
    bars, y = [], 6.0
    for (label, value), lines in zip(items, wrapped, strict=True):
        row_h = 22 + 13 * (len(lines) - 1)
        w = max(1.0, span * value / peak) if value else 0.0
        color = palette.get(label, PALETTE[1])
        tspans = "".join(
            f'<tspan x="{label_w - 6:.0f}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        bars.append(
            f'<text y="{y + 15:.0f}" text-anchor="end">{tspans}</text>'
            f'<rect x="{label_w:.0f}" y="{y + 3:.0f}" width="{w:.1f}" height="16" fill="{color}">'
            f"<title>{escape(label)}: {value:,}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15:.0f}">{value:,}</text>'
        )
        y += row_h
    return svg(width, int(y + 6), "".join(bars), "bar chart")


def _wrap(label: str, per_line: int) -> list[str]:
    """Words onto lines of at most `per_line` characters (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


# --- time columns -----------------------------------------------------------------------------


DAY_STEPS = (1, 2, 7, 14, 28, 56, 112)
MONTH_STEPS = (1, 2, 3, 6, 12, 24)
MINUTE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160)
EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (bucket keys are UTC wall times without a zone)


def minute_buckets(first: str, last: str, width: int) -> list[str]:
    """Every bucket of `width` minutes from `first` to `last` ("2025-06-02T06:10"), gaps
    included: the axis is linear in time."""
    start, end = _minutes(first), _minutes(last)
    return [_stamp(m) for m in range(start, end + 1, width)]


def day_buckets(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def month_buckets(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last[:7]:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _minutes(key: str) -> int:
    return int((datetime.fromisoformat(key) - EPOCH).total_seconds()) // 60


def _stamp(minutes: int) -> str:
    return (EPOCH + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def tick_label(bucket: str) -> tuple[str, str]:
    """Two lines under a column: the finer unit, then the coarser one (shown where it changes).

    "2025-06-02T06:10" -> ("06:10", "2 Jun 2025"); "2025-06-02" -> ("2 Jun", "2025");
    "2025-06" -> ("Jun", "2025")."""
    if "T" in bucket:
        moment = datetime.fromisoformat(bucket)
        return f"{moment:%H:%M}", f"{moment.day} {moment:%b %Y}"
    if len(bucket) == 10:
        day = date.fromisoformat(bucket)
        return f"{day.day} {day:%b}", f"{day:%Y}"
    return date.fromisoformat(bucket + "-01").strftime("%b"), bucket[:4]


def stacked_columns(
    buckets: Sequence[str], series: dict[str, list[int]], width: int = 1000, height: int = 280
) -> str:
    """Stacked columns over consecutive time buckets, one colour per series: y ticks at round
    numbers with grid lines, x ticks at a round step that leaves room for each label, a legend
    that wraps."""
    palette = colors(series)
    legend, legend_h = _legend(list(series), palette, 48, width - 10)
    left, bottom, top = 48, 44, 14 + legend_h
    totals = [sum(values[i] for values in series.values()) for i in range(len(buckets))]
    peak, y_ticks = nice_ticks(max(totals, default=0))
    plot_h = height - bottom - top
    step = (width - left - 10) / max(len(buckets), 1)
    shapes = [legend, _y_axis(left, top, plot_h, width, peak, y_ticks)]
    for i, bucket in enumerate(buckets):
        base = float(top + plot_h)
        for name, values in series.items():
            h = plot_h * values[i] / peak
            if h > 0:
                shapes.append(
                    f'<rect x="{left + i * step + 0.5:.1f}" y="{base - h:.1f}" '
                    f'width="{max(step - 1, 0.5):.1f}" height="{h:.1f}" fill="{palette[name]}">'
                    f"<title>{escape(bucket)} {escape(name)}: {values[i]:,}</title></rect>"
                )
                base -= h
    shapes.append(_x_ticks(buckets, left, step, top + plot_h))
    return svg(width, height, "".join(shapes), "alerts over time")


def nice_ticks(peak: int, count: int = 4) -> tuple[int, list[int]]:
    """A round top for the y axis at or above `peak` and the ticks up to it (0 included)."""
    if peak <= 0:
        return 1, [0, 1]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    top = step * math.ceil(peak / step)
    return top, list(range(0, top + 1, step))


def _y_axis(left: int, top: int, plot_h: float, width: int, peak: int, ticks: list[int]) -> str:
    bottom = top + plot_h
    parts = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom:.1f}" stroke="#888"/>']
    for value in ticks:
        y = bottom - plot_h * value / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            f'stroke="{"#888" if value == 0 else "#e4e4e4"}"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>'
        )
    return "".join(parts)


def _x_ticks(buckets: Sequence[str], left: int, step: float, y: float) -> str:
    """A tick and a label every k-th column, k the smallest round step whose labels fit (clock
    times on round minutes: 06:00, 06:15, ...); the second line (date, year) where it changes
    from the previous label."""
    if not buckets:
        return ""
    index, steps = _tick_steps(buckets)
    widest = max(text_width(tick_label(b)[0]) for b in buckets) + 14
    every = next((k for k in steps if k * step >= widest), steps[-1])
    while every * step < widest:
        every *= 2
    parts, previous = [], ""
    for i, bucket in enumerate(buckets):
        if index(bucket, i) % every:
            continue
        x = left + (i + 0.5) * step
        fine, coarse = tick_label(bucket)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 4:.1f}" stroke="#888"/>'
            f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle">{escape(fine)}</text>'
        )
        if coarse != previous:
            parts.append(
                f'<text x="{x:.1f}" y="{y + 30:.1f}" text-anchor="middle" '
                f'class="tick2">{escape(coarse)}</text>'
            )
            previous = coarse
    return "".join(parts)


def _tick_steps(buckets: Sequence[str]) -> tuple[Callable[[str, int], int], list[int]]:
    """How to number the columns and which steps (in columns) make round ticks: minutes count
    from the epoch so ticks fall on round clock times; days and months from the first column."""
    first = buckets[0]
    if "T" in first:
        width = _minutes(buckets[1]) - _minutes(first) if len(buckets) > 1 else 1
        steps = [m // width for m in MINUTE_STEPS if m % width == 0]
        return (lambda bucket, _: _minutes(bucket) // width), steps
    return (lambda _, i: i), list(DAY_STEPS if len(first) == 10 else MONTH_STEPS)


def _legend(
    names: Sequence[str], palette: dict[str, str], left: int, right: int
) -> tuple[str, int]:
    """Legend entries left to right, wrapping to a new row at `right`; returns (svg, height)."""
    items, x, y = [], float(left), 4
    for name in names:
        need = 14 + text_width(name) + 14
        if x > left and x + need > right:
            x, y = float(left), y + 16
        items.append(
            f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{palette[name]}"/>'
            f'<text x="{x + 14:.0f}" y="{y + 9}">{escape(name)}</text>'
        )
        x += need
    return "".join(items), y + 16 if names else 0


def svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">{body}</svg>'
    )
