"""`dinarwatch replay` on the command line: outputs, exit codes, argument errors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from streams.cli import app
from streams.replay.cli import EXIT_DIFFERENCES, SORT_CHUNK
from streams.replay.order import DEFAULT_CHUNK
from tests.unit.streams.replay.feeds import feed_records, write_feed

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("clean_settings")


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_feed(tmp_path_factory.mktemp("cli") / "feed.jsonl", feed_records(400, seed=9))


def run(*args: str) -> Result:
    return runner.invoke(app, ["replay", *args], catch_exceptions=False)


def test_replay_writes_the_report_and_exits_0(feed: Path, tmp_path: Path) -> None:
    result = run(str(feed), "--report", str(tmp_path), "--no-progress")
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert report["counts"]["payments"] == 400
    assert report["parameters"]["as_of"] == "value-date"
    assert {p.name for p in tmp_path.iterdir()} == {
        "decisions.jsonl",
        "alerts.jsonl",
        "rejects.jsonl",
        "report.json",
        "report.html",
    }


def test_compare_exit_code_is_0_when_equal_and_1_when_different(feed: Path, tmp_path: Path) -> None:
    run(str(feed), "--report", str(tmp_path / "first"), "--no-progress")
    live = tmp_path / "first" / "alerts.jsonl"
    same = run(str(feed), "--report", str(tmp_path / "same"), "--compare", str(live))
    assert same.exit_code == 0, same.output
    compared = orjson.loads((tmp_path / "same" / "compare.json").read_bytes())
    assert compared["identical"] == compared["live_alerts"] > 0 and compared["differences"] == []
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"".join(live.read_bytes().splitlines(keepends=True)[1:]))
    differs = run(str(feed), "--compare", str(edited))
    assert differs.exit_code == EXIT_DIFFERENCES == 1
    assert "extra 1" in differs.output


def test_as_of_a_date_is_recorded(feed: Path, tmp_path: Path) -> None:
    result = run(str(feed), "--report", str(tmp_path), "--as-of", "2026-01-01")
    assert result.exit_code == 0
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert report["parameters"]["as_of"] == "2026-01-01"
    assert report["parameters"]["evaluated_at"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "args",
    [
        ["--as-of", "yesterday"],
        ["--topic", "payments.raw"],
        ["--from", "2025-01-01"],
        ["--rule-pack", "/nonexistent/pack.yaml"],
    ],
)
def test_bad_arguments_exit_2(feed: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["replay", str(feed), *args])
    assert result.exit_code == 2, result.output


def test_no_input_exits_2() -> None:
    assert runner.invoke(app, ["replay"]).exit_code == 2
    assert runner.invoke(app, ["replay", "/nonexistent/feed.jsonl"]).exit_code == 2


def test_the_sort_chunk_default_is_the_ordering_default() -> None:
    assert SORT_CHUNK == DEFAULT_CHUNK
