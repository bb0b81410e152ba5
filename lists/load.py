"""Loading reference lists and rule packs the way the `lists` commands name them, and the checks
a list must pass before it is published.

A list can be named three ways: a path to a file the loaders know (the CBI YAML format, a
built-in list YAML, the UN XML), a folder of OFAC CSV files, or the name of a list the current
settings load (built-ins plus DINARWATCH_OFAC_DIR / DINARWATCH_UN_XML). A rule pack YAML is
recognised by its `rules:` mapping. Separate from the commands (cli/lists.py) because
`lists fetch` (lists/fetch.py) runs the same checks and the commands only print.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from infra.errors import ConfigError, InputError, UserError, loading
from infra.settings import Settings
from lists.files import builtin_lists, load_ofac_dir, load_rule_pack, load_un_xml
from rules.lists.base import ListSet, ReferenceList
from rules.lists.builtin import parse_builtin_list
from rules.lists.cbi import parse_cbi_usd_ban
from rules.pack import RulePack, parse_rule_pack


@dataclass(frozen=True)
class PackSource:
    """A rule pack read from a file, with its text (the digest and the wire form need it)."""

    pack: RulePack
    text: str
    path: Path


Item = ReferenceList | PackSource


@dataclass(frozen=True)
class Loaded:
    """One loaded item and what its loader had to say about it (e.g. skipped OFAC rows)."""

    item: Item
    notes: tuple[str, ...] = ()
    seconds: float = 0.0


def load_path(
    path: Path,
    published: date | None = None,
    error: type[UserError] = InputError,
    name: str | None = None,
) -> Loaded:
    """Load whatever `path` holds: OFAC folder, UN XML, CBI/built-in list YAML or rule pack.

    A failure is one `error` line naming the file (or `name`, e.g. the setting that points at
    it) and where in it: a path on the command line is an InputError, a setting's a ConfigError.
    """
    if not path.exists():
        raise error(f"{name or path}: no such file or folder: check the path")
    with loading(name or str(path), error, "fix the file or give another"):
        return _load_path(path, published)


def _load_path(path: Path, published: date | None) -> Loaded:
    started = time.perf_counter()
    if path.is_dir() or path.name == "sdn.csv":
        folder = path if path.is_dir() else path.parent
        ofac = load_ofac_dir(folder, published=published)
        notes = tuple(f"skipped {k}: {v}" for k, v in ofac.skipped.items() if v)
        return Loaded(ofac.reference, notes, time.perf_counter() - started)
    if path.suffix.lower() == ".xml":
        return Loaded(load_un_xml(path), (), time.perf_counter() - started)
    if path.suffix.lower() in (".yaml", ".yml"):
        return Loaded(_load_yaml(path), (), time.perf_counter() - started)
    raise ValueError("not an OFAC folder, a UN XML file or a list/pack YAML file")


def _load_yaml(path: Path) -> Item:
    text = path.read_text("utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError("not a YAML mapping")
    if isinstance(doc.get("rules"), dict):
        return PackSource(parse_rule_pack(text), text, path)
    if "batches" in doc:
        reference = parse_cbi_usd_ban(text)
    elif "list" in doc and "entries" in doc:
        reference = parse_builtin_list(str(doc["list"]), text)
    else:
        raise ValueError("neither a list (list/entries or batches) nor a rule pack")
    # The loaders name their packaged file; a published copy must say where it really came from.
    return replace(reference, source=f"file: {path}")


def settings_lists(settings: Settings) -> list[Loaded]:
    """What a worker with these settings loads: built-ins, then the OFAC and UN files."""
    started = time.perf_counter()
    loaded = [Loaded(ref) for ref in builtin_lists().lists.values()]
    loaded[0] = replace(loaded[0], seconds=time.perf_counter() - started)
    for setting, path in (("OFAC_DIR", settings.ofac_dir), ("UN_XML", settings.un_xml)):
        if path is not None:
            loaded.append(load_path(path, None, ConfigError, f"DINARWATCH_{setting}={path}"))
    return loaded


def settings_pack(settings: Settings) -> PackSource:
    """The rule pack the settings select (the built-in iraq pack by default)."""
    if settings.rule_pack is not None:
        with loading(
            f"DINARWATCH_RULE_PACK={settings.rule_pack}", ConfigError, "fix the file or unset it"
        ):
            text = settings.rule_pack.read_text("utf-8")
            return PackSource(parse_rule_pack(text), text, settings.rule_pack)
    from importlib import resources

    text = resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")
    return PackSource(load_rule_pack(None), text, Path("built-in: rules/packs/iraq.yaml"))


def resolve(target: str, settings: Settings, published: date | None = None) -> Loaded:
    """A path if one exists, else the list of that name in the current settings."""
    path = Path(target)
    if path.exists():
        return load_path(path, published)
    lists = ListSet({ref.name: ref for ref in references(settings_lists(settings))})
    found = lists.get(target)
    if found is None:
        known = ", ".join(sorted(lists.lists))
        raise InputError(f"{target}: no such file, and no such list (loaded: {known})")
    return Loaded(found)


def references(loaded: Iterable[Loaded]) -> list[ReferenceList]:
    return [x.item for x in loaded if isinstance(x.item, ReferenceList)]


def problems(reference: ReferenceList) -> list[str]:
    """What would make this list unsafe to publish: duplicate ids, foreign entries, bad dates."""
    found: list[str] = []
    seen: set[str] = set()
    for entry in reference.entries:
        if entry.entry_id in seen:
            found.append(f"duplicate entry id {entry.entry_id}")
        seen.add(entry.entry_id)
        if entry.list_name != reference.name:
            found.append(f"{entry.entry_id}: belongs to list {entry.list_name!r}")
        if entry.listed_from and entry.listed_until and entry.listed_until <= entry.listed_from:
            found.append(f"{entry.entry_id}: listed_until is not after listed_from")
    if not reference.entries:
        found.append("the list is empty")
    return found
