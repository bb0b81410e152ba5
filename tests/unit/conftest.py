"""Fixtures shared by the unit tests of the commands and the services they call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infra.settings import get_settings


@pytest.fixture
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings from a clean environment: no DINARWATCH_* variables and no .env (the working
    directory is a fresh temporary folder); the cached settings are read again."""
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("DINARWATCH_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
