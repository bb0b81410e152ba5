"""Which dinarwatch made a report: the package version and, from a git checkout, the commit.

An auditor must be able to tell which code decided. The commit is `git describe --always
--dirty --tags` of the checkout the code runs from (local only: git never touches the network
for describe); an installed package without its checkout reports the version alone. Asked once
per process, so every report of a run names the same build.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def software() -> dict[str, str | None]:
    """{"name", "version", "commit"}; commit None outside a git checkout."""
    return {"name": "dinarwatch", "version": _version(), "commit": _commit(ROOT)}


def _version() -> str:
    try:
        return importlib.metadata.version("dinarwatch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _commit(root: Path) -> str | None:
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(root), "describe", "--always", "--dirty", "--tags"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
