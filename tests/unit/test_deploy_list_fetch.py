"""The systemd units and the cron example of deploy/ run a `lists fetch` the CLI accepts.

systemd-analyze (when installed) checks the units themselves, with the installed path of the
dinarwatch command pointed at this checkout's.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

REPO = Path(__file__).resolve().parents[2]
SYSTEMD = REPO / "deploy" / "systemd"
CRON = REPO / "deploy" / "cron" / "dinarwatch-lists-fetch"
INSTALLED = "/opt/dinarwatch/.venv/bin/dinarwatch"


def exec_start() -> list[str]:
    text = (SYSTEMD / "dinarwatch-lists-fetch.service").read_text().replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def cron_command() -> list[str]:
    line = next(x for x in CRON.read_text().splitlines() if x[:1].isdigit())
    fields = line.split(None, 6)
    assert len(fields[:5]) == 5 and fields[5] == "dinarwatch"  # five time fields, then the user
    command = fields[6].split("&&")[-1].split(">>")[0]
    return shlex.split(command)


@pytest.mark.parametrize("command", [exec_start(), cron_command()], ids=["systemd", "cron"])
def test_the_scheduled_command_is_one_the_cli_accepts(command: list[str]) -> None:
    assert command[0] == INSTALLED and command[1:3] == ["lists", "fetch"]
    # an unknown option or source would fail before --help is handled
    result = CliRunner().invoke(app, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "--textfile" in command


@pytest.mark.external
def test_systemd_analyze_accepts_the_units(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed")
    exe = Path(sys.executable).with_name("dinarwatch")
    for unit in SYSTEMD.glob("*"):
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(exe)))
    done = subprocess.run(
        [tool, "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
