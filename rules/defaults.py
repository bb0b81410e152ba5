"""The built-in lists and pack, assembled into a ScreeningContext."""

from __future__ import annotations

from pathlib import Path

from rules.context import ScreeningContext
from rules.lists.base import ListSet
from rules.lists.cbi import load_cbi_usd_ban
from rules.pack import load_rule_pack


def builtin_lists() -> ListSet:
    """Every list that ships with dinarwatch."""
    return ListSet({}).with_list(load_cbi_usd_ban())


def default_context(rule_pack: Path | None = None, lists: ListSet | None = None) -> ScreeningContext:
    """The context workers, screen and replay start from."""
    return ScreeningContext.build(load_rule_pack(rule_pack), lists or builtin_lists())
