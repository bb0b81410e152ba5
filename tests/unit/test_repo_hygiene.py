"""Nothing the product writes at run time may be committed or left un-ignored.

A committed RocksDB table under .demo/ once made every fresh clone's demo worker crash on start
(its persisted offsets belonged to another broker). These tests read the real git index, so
they fail the moment a runtime file is tracked or .gitignore stops covering a runtime path.
Skipped when the tree is not a git checkout (e.g. an unpacked source archive).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Paths the product, its scripts and its tests write at run time, relative to the repo root
# (a file inside each folder stands for the folder). Keep in step with .gitignore.
RUNTIME_SAMPLES = [
    ".demo/worker.log",
    ".demo/worker.pid",
    ".demo/worker-data/v1/tables/debtor-windows-0.db/LOCK",
    ".dinarwatch-data/v1/tables/debtor-windows-0.db/CURRENT",
    ".dinarwatch-desk.db",
    ".dinarwatch-desk.db-wal",
    ".kafka-local/data/meta.properties",
    ".kafka-local/test-19092/logs/server.log",
    ".kafka-local-h1/kafka.pid",
    ".env",
    ".env.local",
    "desk.db",
    "alerts/desk/cases.db",
    "cases.sqlite",
    ".dinarwatch-desk.db",
    ".dinarwatch-desk.db-wal",
    ".dinarwatch-desk.db-journal",
    "out/report.html",
    "out-retro/alerts.jsonl",
    "demo-out/decisions.jsonl",
    "bench/results/soak.json",
    ".pytest_cache/v/cache/lastfailed",
    ".hypothesis/examples/x",
    "rules/matching/names.cpython-311-x86_64-linux-gnu.so",
    "rules/native__mypyc.cpython-311-x86_64-linux-gnu.so",
    "build/native.log",
]
# Folders nothing may be tracked under, whatever its name.
RUNTIME_DIRS = [".demo", ".dinarwatch-data", ".kafka-local", "out", "demo-out", "bench/results"]


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def checkout() -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != REPO:
        pytest.skip(f"{REPO} is not the top of a git checkout")
    return REPO


def test_code_defaults_are_in_the_list() -> None:
    """The folders the code writes by default are the ones this test guards."""
    from cli.demo import STATE
    from infra.settings import Settings

    data_dir = Settings.model_fields["data_dir"].default
    script = (REPO / "deploy/kafka/kafka-local.sh").read_text()
    assert STATE.relative_to(REPO).as_posix() in RUNTIME_DIRS
    assert Path(data_dir).as_posix() in RUNTIME_DIRS
    broker_dirs = re.findall(r"KAFKA_HOME_DIR:-\$REPO_ROOT/([\w.-]+)", script)
    assert broker_dirs, "kafka-local.sh: default state dir not found"
    assert set(broker_dirs) <= set(RUNTIME_DIRS)


def test_the_desk_default_database_is_ignored(checkout: Path) -> None:
    desk_db = pytest.importorskip("desk.db")
    url = str(desk_db.DEFAULT_DB_URL)
    assert url.startswith("sqlite:///")
    path = url.removeprefix("sqlite:///")
    assert git("check-ignore", "--no-index", "-q", path).returncode == 0, path


def test_nothing_under_a_runtime_folder_is_tracked(checkout: Path) -> None:
    tracked = git("ls-files", "-z", "--", *RUNTIME_DIRS).stdout.split("\0")
    assert [p for p in tracked if p] == []


def test_no_tracked_file_is_ignored(checkout: Path) -> None:
    """A tracked file that .gitignore matches is runtime state that slipped in before the
    rule existed (git keeps tracking it and `make clean` would delete it)."""
    listed = git("ls-files", "-z", "--cached", "--ignored", "--exclude-standard")
    assert listed.returncode == 0, listed.stderr
    assert [p for p in listed.stdout.split("\0") if p] == []


@pytest.mark.parametrize("path", RUNTIME_SAMPLES)
def test_gitignore_covers_runtime_path(checkout: Path, path: str) -> None:
    # --no-index: judge the rules alone, whether or not the path is in the index
    done = git("check-ignore", "--no-index", "-q", path)
    assert done.returncode == 0, f"{path} is not ignored: add it to .gitignore"


@pytest.mark.parametrize("path", ["cli/demo.py", "deploy/kafka/kafka-local.sh", ".gitignore"])
def test_gitignore_keeps_sources(checkout: Path, path: str) -> None:
    """The patterns are not so broad that they hide the product's own files."""
    assert git("check-ignore", "--no-index", "-q", path).returncode == 1
