"""Build the screening context from settings: the adapters' one way to get lists and pack."""

from __future__ import annotations

from rules.context import ScreeningContext
from streams.list_files import default_context, load_lists
from streams.settings import Settings


def context_from_settings(settings: Settings) -> ScreeningContext:
    """Built-in lists plus the OFAC/UN files the settings point at, and the configured pack."""
    return default_context(settings.rule_pack, load_lists(settings.ofac_dir, settings.un_xml))
