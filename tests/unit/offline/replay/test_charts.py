"""report.html's charts: labels whole, time axes linear with round ticks, stable buckets."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from offline.replay.charts import (
    day_buckets,
    hbar_chart,
    minute_buckets,
    month_buckets,
    nice_ticks,
    stacked_columns,
    tick_label,
)
from offline.replay.report import created_buckets

LONG = "Kurdistan International Islamic Bank for Investment and Development KIBIIQBA"


def test_bar_labels_are_never_cut_and_fit_left_of_the_bars() -> None:
    chart = hbar_chart([(LONG, 4), ("USD-STRUCTURING", 43)], {})
    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", chart))
    assert all(word in shown.split() for word in LONG.split()) and "…" not in chart
    bar_x = min(float(x) for x in re.findall(r'<rect x="([\d.]+)"', chart))
    anchors = [float(x) for x in re.findall(r'<tspan x="([\d.]+)"', chart)]
    longest_line = max(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", chart), key=len)
    assert all(x < bar_x for x in anchors)
    assert min(anchors) - len(longest_line) * 6.2 >= 0  # right-aligned text starts inside


def test_nice_ticks_are_round_and_cover_the_peak() -> None:
    assert nice_ticks(329) == (400, [0, 100, 200, 300, 400])
    assert nice_ticks(10) == (10, [0, 5, 10])
    assert nice_ticks(3) == (3, [0, 1, 2, 3])
    assert nice_ticks(0) == (1, [0, 1])


def test_time_buckets_fill_the_gaps() -> None:
    assert minute_buckets("2025-06-02T23:50", "2025-06-03T00:10", 10) == [
        "2025-06-02T23:50",
        "2025-06-03T00:00",
        "2025-06-03T00:10",
    ]
    assert day_buckets("2025-02-27", "2025-03-02") == [
        "2025-02-27",
        "2025-02-28",
        "2025-03-01",
        "2025-03-02",
    ]
    assert month_buckets("2024-11-15", "2025-02-01") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert tick_label("2025-06-02T06:15") == ("06:15", "2 Jun 2025")
    assert tick_label("2025-06-02") == ("2 Jun", "2025")


def test_created_buckets_pick_a_round_width_for_the_span() -> None:
    short = Counter({("2025-06-02T06:00", "A"): 2, ("2025-06-02T06:24", "A"): 1})
    assert created_buckets(short) == {
        "bucket_minutes": 1,
        "buckets": {"2025-06-02T06:00": {"A": 2}, "2025-06-02T06:24": {"A": 1}},
    }
    day = Counter(
        {("2025-06-02T06:07", "A"): 1, ("2025-06-02T06:14", "B"): 2, ("2025-06-03T05:59", "A"): 1}
    )
    doc = created_buckets(day)
    assert doc["bucket_minutes"] == 15  # 24 h in <= 96 columns
    assert doc["buckets"]["2025-06-02T06:00"] == {"A": 1, "B": 2}
    assert created_buckets(Counter()) == {"bucket_minutes": 60, "buckets": {}}


def test_the_time_axis_labels_round_clock_times_that_do_not_overlap() -> None:
    buckets = minute_buckets("2025-06-02T06:00", "2025-06-02T08:46", 2)
    chart = stacked_columns(buckets, {"A": [1] * len(buckets)})
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">(\d\d:\d\d)<', chart)
    assert labels and all(int(t[3:]) % 10 == 0 for _, t in labels)
    xs = [float(x) for x, _ in labels]
    assert all(b - a >= 5 * 6.2 for a, b in pairwise(xs))
    assert 'class="tick2">2 Jun 2025<' in chart
