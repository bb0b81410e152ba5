"""report.html opens in headless Chromium without a network and shows the report's figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from lists.files import default_context
from offline.replay.runner import ReplayParams, run_replay
from offline.replay.sources import FileSource
from tests.unit.offline.replay.feeds import feed_records, write_feed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    feed = write_feed(folder / "feed.jsonl", feed_records(500, seed=13, fmt="mixed"))
    run_replay(FileSource([feed]), default_context(), ReplayParams(), folder / "out")
    return folder / "out"


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (deploy/system-deps/replay.txt lists it)")
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_page_is_self_contained(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text("utf-8")
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert "@media print" in page and page.count("<svg") >= 3
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", page)


def test_chromium_renders_the_counts(report_dir: Path, tmp_path: Path) -> None:
    url = (report_dir / "report.html").as_uri()
    dumped = chromium("--dump-dom", url, profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    report = orjson.loads((report_dir / "report.json").read_bytes())
    counts = report["counts"]
    assert f'data-metric="payments" data-value="{counts["payments"]}"' in dom
    assert counts["payments"] == 500
    assert f'data-metric="alerts" data-value="{counts["alerts"]}"' in dom
    assert f'data-metric="block" data-value="{counts["decisions"]["block"]}"' in dom
    for rule, n in counts["alerts_by_rule"].items():
        assert f'data-rule="{rule}" data-alerts="{n}"' in dom
        assert f'<section id="rule-{rule}">' in dom and f'href="#rule-{rule}"' in dom
    assert dom.count('<tr id="alert-') == counts["alerts"]  # every alert, parsed as rows
    assert dom.count("<tr") >= 40 and "dinarwatch replay report" in dom


def test_chromium_takes_a_screenshot(report_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    url = (report_dir / "report.html").as_uri()
    done = chromium(f"--screenshot={shot}", "--window-size=1200,1600", url, profile=tmp_path / "p")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
