"""Nothing silently dropped, and the command line says what it did (docs/cli.md)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from cli.app import app
from cli.generate import FILE_START, event_times
from infra.errors import EXIT_NOTHING_SCREENED
from infra.settings import get_settings

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("clean_settings")


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    get_settings.cache_clear()
    return runner.invoke(app, args, env=env, catch_exceptions=False)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    result = invoke(["generate", "--count", "60", "--out", str(path), "--violation-rate", "0.3"])
    assert result.exit_code == 0, result.output
    return path


# --- generate: event times ----------------------------------------------------------------------

NOW = datetime(2026, 12, 6, 20, 0, 0, tzinfo=UTC)


def last(times: object, count: int) -> datetime:
    return times.start + times.spacing * (count - 1)  # type: ignore[attr-defined, no-any-return]


def test_a_backlog_sent_to_a_topic_ends_now() -> None:
    times = event_times(count=20_000, rate=0, to_topic=True, start=None, spacing_ms=None, now=NOW)
    assert last(times, 20_000) == NOW
    assert times.spacing == timedelta(milliseconds=500)
    assert times.start == NOW - timedelta(milliseconds=500) * 19_999


def test_a_paced_feed_follows_the_clock() -> None:
    times = event_times(count=1000, rate=200, to_topic=True, start=None, spacing_ms=None, now=NOW)
    assert times.start == NOW and times.spacing == timedelta(milliseconds=5)
    # the last payment goes out 999/200 s after the first: its created_at is that moment
    assert last(times, 1000) == NOW + timedelta(seconds=999 / 200)


def test_files_keep_their_fixed_start_and_explicit_values_win() -> None:
    file = event_times(count=10, rate=0, to_topic=False, start=None, spacing_ms=None, now=NOW)
    assert file.start == FILE_START
    given = datetime(2025, 1, 1, 0, 0)  # naive means UTC
    explicit = event_times(count=10, rate=0, to_topic=True, start=given, spacing_ms=100, now=NOW)
    assert explicit.start == given.replace(tzinfo=UTC)
    assert explicit.spacing == timedelta(milliseconds=100)


def test_generate_ends_with_a_summary_and_keeps_its_progress_bar(tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    labels = tmp_path / "labels.jsonl"
    result = invoke(
        [
            "generate",
            "--count",
            "50",
            "--out",
            str(out),
            "--labels",
            str(labels),
            "--malformed-rate",
            "0.1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"generating .*50/50", result.output), result.output
    summary = [line for line in result.output.splitlines() if line.startswith("generated ")]
    assert len(summary) == 1, result.output
    docs = [orjson.loads(line) for line in labels.read_bytes().splitlines()]
    malformed = sum(1 for d in docs if d.get("malformed"))
    passed = sum(1 for d in docs if d["expected_decision"] == "pass")
    assert f"generated 50 record(s) to {out}" in summary[0]
    assert f"malformed {malformed}" in summary[0] and f"pass {passed}" in summary[0]
    # a file: 30 s of Baghdad banking hours apart from Sunday 2 March 2025, 08:00 Baghdad
    assert "created_at 2025-03-02T05:00:00Z .. 2025-03-02T05:24:30Z" in summary[0]


# --- screen: summary, blank lines, nothing screened ---------------------------------------------


def test_screen_ends_with_a_summary_line(feed: Path) -> None:
    result = invoke(["screen", str(feed), "--event-time"])
    assert result.exit_code == 0, result.output
    decisions = [orjson.loads(line)["decision"] for line in result.stdout.splitlines()]
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"screened {len(decisions)} payment(s) from {feed}")
    for decision in set(decisions):
        assert f"{decision} {decisions.count(decision)}" in summary
    assert "rejected 0" in summary


def test_blank_lines_are_counted_as_empty_records(feed: Path, tmp_path: Path) -> None:
    lines = feed.read_bytes().splitlines(keepends=True)
    gappy = tmp_path / "gappy.jsonl"
    gappy.write_bytes(b"".join(lines[:10]) + b"\n   \n" + b"".join(lines[10:]) + b"\n")
    result = invoke(["screen", str(gappy), "--event-time"])
    assert result.exit_code == 0, result.output
    assert f"rejected {gappy}:11: empty" in result.stderr
    assert f"rejected {gappy}:12: empty" in result.stderr
    assert "rejected 3 (empty 3)" in result.stderr.splitlines()[-1]
    assert len(result.stdout.splitlines()) == len(lines)


def test_screen_exits_6_when_every_record_is_rejected(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b'{"not": "a payment"}\n{"neither": 1}\n')
    result = invoke(["screen", str(junk)])
    assert result.exit_code == EXIT_NOTHING_SCREENED == 6, result.output
    assert "all 2 record(s) rejected" in result.stderr


def test_screen_exits_6_on_an_empty_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = invoke(["screen", str(empty)])
    assert result.exit_code == 6, result.output
    assert "the input is empty" in result.stderr


# --- replay: skipped files, empty folders, blank lines -----------------------------------------


def test_replay_warns_about_the_files_it_skips(feed: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "feed.jsonl").write_bytes(feed.read_bytes())
    for name in ("notes.csv", "scan.pdf", "README"):
        (folder / name).write_text("x")
    report = tmp_path / "out"
    result = invoke(["replay", str(folder), "--report", str(report), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"warning: {folder}: skipped 3 file(s)" in result.stderr
    assert "README, notes.csv, scan.pdf" in result.stderr
    doc = orjson.loads((report / "report.json").read_bytes())
    assert doc["input"]["skipped_files"] == {str(folder): ["README", "notes.csv", "scan.pdf"]}
    assert doc["counts"]["payments"] == 60


def test_replay_of_a_folder_without_payment_files_exits_6(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    result = invoke(["replay", str(folder)])
    assert result.exit_code == 6, result.output
    assert f"no input file in {folder}" in result.stderr
    (folder / "notes.csv").write_text("x")
    again = invoke(["replay", str(folder)])
    assert again.exit_code == 6
    assert "skipped 1 file(s)" in again.stderr


def test_replay_counts_blank_lines_and_exits_6_when_all_are_rejected(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n\n\n")
    report = tmp_path / "out"
    result = invoke(["replay", str(blank), "--report", str(report), "--no-progress"])
    assert result.exit_code == 6, result.output
    assert "all 3 record(s) rejected" in result.stderr
    rejects = [orjson.loads(line) for line in (report / "rejects.jsonl").read_bytes().splitlines()]
    assert [r["reason"] for r in rejects] == ["empty"] * 3
    assert orjson.loads((report / "report.json").read_bytes())["input"]["files"][0]["records"] == 3


def test_replay_progress_counts_records_not_bytes(feed: Path, tmp_path: Path) -> None:
    from cli.replay import RichProgress
    from lists.files import default_context
    from offline.replay.runner import ReplayParams, run_replay
    from offline.replay.sources import FileSource

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    source = FileSource([feed])
    with RichProgress(console, enabled=True) as hooks:
        run_replay(source, default_context(), ReplayParams(), tmp_path / "out", hooks)
    final = screen.getvalue().rsplit("\r", 1)[-1]
    assert re.search(r"reading .* 60 records .*/s", final), final
    assert re.search(r"screening .* 60/60 records", final), final
    assert f"{feed.stat().st_size:,}" not in final and str(feed.stat().st_size) not in final


# --- lists and help -----------------------------------------------------------------------------


def test_lists_load_says_valid_with_the_entry_count() -> None:
    result = invoke(["lists", "load"])
    assert result.exit_code == 0, result.output
    match = re.search(r"^valid: ([\d,]+) entries in (\d+) item\(s\)$", result.output, re.MULTILINE)
    assert match is not None, result.output
    assert int(match.group(1).replace(",", "")) > 10


@pytest.mark.parametrize(
    "command", [[], ["screen"], ["worker"], ["lists", "show"], ["replay"], ["generate"]]
)
def test_help_shows_no_bool_type_for_flags(command: list[str]) -> None:
    result = invoke([*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    assert "<bool>" not in result.output


def test_help_still_shows_types_of_options_with_values() -> None:
    assert "<int>" in invoke(["generate", "--help"]).output


# --- the worker's log -----------------------------------------------------------------------------


def test_the_worker_draws_no_spinner_into_a_log_file() -> None:
    import faust

    from infra.logs import plain_worker_output

    log = io.StringIO()
    worker = faust.Worker(faust.App("dw-spinner-test"), stdout=log, quiet=True)
    plain_worker_output(worker)
    worker._on_startup_end_spinner()
    assert "\x1b" not in log.getvalue() and "\b" not in log.getvalue()


def test_without_the_fix_faust_would_write_escape_codes() -> None:
    """The check above can fail: Faust's own spinner writes the escape into a file."""
    import faust

    log = io.StringIO()
    worker = faust.Worker(faust.App("dw-spinner-test-2"), stdout=log, quiet=True)
    worker._on_startup_end_spinner()
    assert "\x1b[?25h" in log.getvalue()


def test_a_reader_that_stops_early_ends_screen_quietly(feed: Path, tmp_path: Path) -> None:
    """`dinarwatch screen F | head -1`: no traceback, no error line, the SIGPIPE exit code."""
    import subprocess
    import sys

    from infra.errors import EXIT_BROKEN_PIPE

    big = tmp_path / "big.jsonl"
    big.write_bytes(feed.read_bytes() * 100)  # 6,000 decisions: far more than a pipe buffer
    exe = str(Path(sys.executable).with_name("dinarwatch"))
    proc = subprocess.Popen(
        [exe, "screen", str(big), "--event-time"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE, stderr
    assert orjson.loads(first)["decision"]
    assert "Traceback" not in stderr and "error" not in stderr, stderr
