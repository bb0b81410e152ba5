"""Build the screening context from settings: the adapters' one way to get lists and pack."""

from __future__ import annotations

from infra.settings import Settings
from rules.context import ScreeningContext


def context_from_settings(settings: Settings) -> ScreeningContext:
    """Built-in lists plus the OFAC/UN files the settings point at, and the configured pack.

    The same loader as `screen` and `replay`: a file that fails to load, or a configured
    OFAC/UN list that loads with no entry, is one ConfigError naming the setting, so the
    worker never screens without a list it was told to use.
    """
    from offline.screen import load_screening_context

    return load_screening_context(settings)
