"""Paths of the list fixtures: excerpts committed under tests/data/lists (README.md there names
each file's source and licence) and the shared reference data beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "data" / "lists"
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()


def fixture(name: str) -> bytes:
    """The bytes of a committed list excerpt."""
    return (FIXTURES / name).read_bytes()


def shared(relative: str) -> Path:
    """A file in ../shared/data, or skip: the shared reference data sits beside the repo."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared reference data not found at {path} (expected ../shared/data)")
    return path
