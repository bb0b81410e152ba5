"""The worker refuses to start on a faust-streaming other than the one its fixes patch.

streams/faust_fixes.py overrides private Faust methods written for 0.15.3; on another release a
fix could silently stop applying. The pins (pyproject.toml, requirements.lock) and the check
at start are tested together here.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from infra.errors import EXIT_CONFIG, ConfigError
from streams import faust_fixes
from streams.faust_fixes import PATCHED_FAUST_VERSION, App, check_faust_version

REPO = Path(__file__).resolve().parents[3]


def test_installed_faust_is_the_patched_release() -> None:
    assert importlib.metadata.version("faust-streaming") == PATCHED_FAUST_VERSION
    check_faust_version()  # no error on the pinned release


def test_pyproject_and_lock_pin_the_patched_release() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    faust = [d for d in project["dependencies"] if re.match(r"faust-streaming\b", d)]
    assert faust == [f"faust-streaming=={PATCHED_FAUST_VERSION}"]
    lock = (REPO / "requirements.lock").read_text().splitlines()
    assert f"faust-streaming=={PATCHED_FAUST_VERSION}" in lock


def test_another_release_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        check_faust_version("0.16.0")
    line = caught.value.line()
    assert "\n" not in line
    assert "faust-streaming 0.16.0 is installed" in line
    assert f"patches {PATCHED_FAUST_VERSION}" in line
    assert "requirements.lock" in line


@pytest.fixture
def other_faust(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.metadata.version
    monkeypatch.setattr(
        faust_fixes.importlib.metadata,
        "version",
        lambda name: "0.11.0" if name == "faust-streaming" else real(name),
    )


@pytest.mark.usefixtures("other_faust")
def test_the_worker_app_checks_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"faust-streaming 0\.11\.0"):
        App("version-test", broker="kafka://127.0.0.1:1", datadir=str(tmp_path))


@pytest.mark.usefixtures("other_faust", "clean_settings")
def test_worker_command_prints_one_line_and_exits_config() -> None:
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == EXIT_CONFIG, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("configuration error: faust-streaming 0.11.0 is installed")
    assert "Traceback" not in result.output
