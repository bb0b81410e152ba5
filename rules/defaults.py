"""The built-in lists and pack, assembled into a ScreeningContext; optional OFAC/UN files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rules.context import ScreeningContext
from rules.lists.base import ListSet
from rules.lists.builtin import load_builtin_lists
from rules.lists.cbi import load_cbi_usd_ban
from rules.lists.ofac import load_ofac_dir
from rules.lists.un import load_un_xml
from rules.pack import load_rule_pack


def builtin_lists() -> ListSet:
    """Every list that ships with dinarwatch: CBI bans, FinCEN 311, Iranian banks, militias."""
    lists = ListSet({}).with_list(load_cbi_usd_ban())
    for reference in load_builtin_lists():
        lists = lists.with_list(reference)
    return lists


def load_lists(
    ofac_dir: Path | None,
    un_xml: Path | None,
    *,
    ofac_published: date | None = None,
) -> ListSet:
    """The built-in lists plus OFAC's SDN CSV files and the UN XML when configured.

    Adapters call this with the settings DINARWATCH_OFAC_DIR and DINARWATCH_UN_XML; the core never
    reads the environment itself. `ofac_published` dates the SDN version when the caller knows the
    publication day (OFAC's CSV files do not carry it).
    """
    lists = builtin_lists()
    if ofac_dir is not None:
        lists = lists.with_list(load_ofac_dir(ofac_dir, published=ofac_published).reference)
    if un_xml is not None:
        lists = lists.with_list(load_un_xml(un_xml))
    return lists


def default_context(
    rule_pack: Path | None = None, lists: ListSet | None = None
) -> ScreeningContext:
    """The context workers, screen and replay start from."""
    return ScreeningContext.build(load_rule_pack(rule_pack), lists or builtin_lists())
