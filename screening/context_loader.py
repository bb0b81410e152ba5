"""Build the screening context from settings: the adapters' one way to get lists and pack.

The worker, `dinarwatch screen`, replay and the benchmarks all load here, so a list file that
fails to load is refused the same way wherever it is named.
"""

from __future__ import annotations

from pathlib import Path

from infra.errors import ConfigError, InputError, loading
from infra.memory import settle_heap
from infra.settings import Settings
from rules.context import ScreeningContext
from rules.lists.base import ListSet


def context_from_settings(settings: Settings) -> ScreeningContext:
    """Built-in lists plus the OFAC/UN files the settings point at, and the configured pack.

    The same loader as `screen` and `replay`: a file that fails to load, or a configured
    OFAC/UN list that loads with no entry, is one ConfigError naming the setting, so the
    worker never screens without a list it was told to use.
    """
    return load_screening_context(settings)


def load_screening_context(settings: Settings, rule_pack: Path | None = None) -> ScreeningContext:
    """The lists and rule pack of `settings` (or the candidate `rule_pack` given on the command
    line), with a failure to read one named in a single line: a file named on the command line
    is an InputError, a file a DINARWATCH_* setting names is a ConfigError."""
    from lists.files import load_lists, load_rule_pack

    if rule_pack is not None:
        with loading(f"rule pack {rule_pack}", InputError, "fix the file or give another"):
            pack = load_rule_pack(rule_pack)
    elif settings.rule_pack is not None:
        with loading(
            f"DINARWATCH_RULE_PACK={settings.rule_pack}", ConfigError, "fix the file or unset it"
        ):
            pack = load_rule_pack(settings.rule_pack)
    else:
        with loading(
            "the built-in rule pack rules/packs/iraq.yaml",
            ConfigError,
            "the installation is broken",
        ):
            pack = load_rule_pack(None)
    for setting, path in (("OFAC_DIR", settings.ofac_dir), ("UN_XML", settings.un_xml)):
        if path is not None and not path.exists():
            raise ConfigError(f"DINARWATCH_{setting}={path}: no such file or folder")
    named = ", ".join(
        f"DINARWATCH_{k}={v}"
        for k, v in (("OFAC_DIR", settings.ofac_dir), ("UN_XML", settings.un_xml))
        if v
    )
    with loading(named or "built-in lists", ConfigError, "fix the files or unset the settings"):
        lists = load_lists(settings.ofac_dir, settings.un_xml)
    _require_entries(lists, settings)
    ctx = ScreeningContext.build(pack, lists)
    settle_heap()  # screen and replay as the worker: the lists out of the collector's sight
    return ctx


def _require_entries(lists: ListSet, settings: Settings) -> None:
    """A configured sanctions list that loads with no entry (a UN file of another schema, an
    OFAC folder of empty files) would screen every payment without it: refuse it."""
    from rules.lists.ofac import SDN_LIST
    from rules.lists.un import UN_LIST

    for setting, path, name in (
        ("OFAC_DIR", settings.ofac_dir, SDN_LIST),
        ("UN_XML", settings.un_xml, UN_LIST),
    ):
        loaded = lists.get(name)
        if path is not None and (loaded is None or not loaded.entries):
            raise ConfigError(
                f"DINARWATCH_{setting}={path}: the {name} list it names holds no entry: "
                "give the published list file or unset the setting"
            )
