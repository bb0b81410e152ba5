"""`dinarwatch replay` on the command line: outputs, exit codes, argument errors."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from cli.app import app
from cli.replay import EXIT_DIFFERENCES, SORT_CHUNK
from offline.replay.order import DEFAULT_CHUNK
from tests.unit.offline.replay.feeds import feed_records, write_feed

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


def test_a_topic_range_that_ends_before_it_starts_exits_2_before_kafka() -> None:
    # No broker is asked: the bootstrap answers nothing, yet the error is the range's (exit 2).
    result = runner.invoke(
        app,
        ["replay", "--topic", "payments.raw", "--from", "2025-01-02", "--to", "2025-01-01"],
        env={"DINARWATCH_KAFKA_BOOTSTRAP": "127.0.0.1:1"},
    )
    assert result.exit_code == 2, result.output
    assert "--from 2025-01-02T00:00:00+00:00 is not before --to 2025-01-01T00:00:00+00:00" in (
        result.output
    )


def test_no_input_exits_2() -> None:
    assert runner.invoke(app, ["replay"]).exit_code == 2
    assert runner.invoke(app, ["replay", "/nonexistent/feed.jsonl"]).exit_code == 2


def test_the_sort_chunk_default_is_the_ordering_default() -> None:
    assert SORT_CHUNK == DEFAULT_CHUNK


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-labels") / "labels.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r.label) + b"\n" for r in feed_records(400, seed=9)))
    return path


def test_backtest_of_two_packs_prints_both_tables_and_the_difference(
    feed: Path, labels: Path, tmp_path: Path
) -> None:
    text = resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")
    pack = tmp_path / "strict.yaml"
    pack.write_text(text.replace("min_count: 3", "min_count: 2", 1), "utf-8")
    result = run(
        str(feed),
        "--labels",
        str(labels),
        "--rule-pack",
        "default",
        "--rule-pack",
        str(pack),
        "--report",
        str(tmp_path / "out"),
        "--no-progress",
    )
    assert result.exit_code == 0, result.output
    assert "backtest: pack default" in result.output and "backtest: pack strict" in result.output
    assert "precision" in result.output and "all rules" in result.output
    report = orjson.loads((tmp_path / "out" / "report.json").read_bytes())
    assert list(report["backtest"]["packs"]) == ["default", "strict"]
    assert report["rule_pack"]["file"] == "built-in rules/packs/iraq.yaml"
    diffs = report["backtest"]["diff"]
    assert diffs and {d["rule"] for d in diffs} == {"USD-STRUCTURING"}
    assert any(d["raised_by"] == ["strict"] for d in diffs)  # two payments suffice there
    assert f"difference: {len(diffs):,} (payment, rule)" in result.output


@pytest.mark.parametrize("content", [None, b"not json\n", b'{"payment_id": "P1"}\n'])
def test_unusable_labels_exit_2_before_the_replay(
    feed: Path, tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "labels.jsonl"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["replay", str(feed), "--labels", str(path)])
    assert result.exit_code == 2, result.output
    assert "labels" in result.output
