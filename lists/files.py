"""Reading reference lists and rule packs from files: the one adapter between disk and rules/.

rules/ only parses bytes and text it is given (tests/unit/test_purity.py forbids file reads
there). Which lists load is a manifest (`ListManifest`, as in opensanctions/yente): each source
names the list, its kind of file, where it is, and optionally the version and SHA-256 the
operator expects; a file whose hash differs is refused with one line naming the file, so a
replaced or truncated download never screens payments silently.

- `builtin_manifest()`: the lists that ship in the package (rules/data/*.yaml);
- `manifest_for(ofac_dir, un_xml)`: those plus OFAC's CSV folder and the UN XML the settings
  (DINARWATCH_OFAC_DIR, DINARWATCH_UN_XML) point at;
- `read_manifest(path)`: a YAML manifest file (`lists: [{name, source, path, version, sha256}]`);
- `load_manifest_lists(manifest)`: the ListSet.
`builtin_lists`, `load_lists`, `load_rule_pack` and `default_context` are what the worker,
`screen`, `replay`, the benches and the tests start from.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rules.context import ScreeningContext
from rules.lists.base import ListSet, ReferenceList
from rules.lists.builtin import BUILTIN_FILES, parse_builtin_list
from rules.lists.cbi import CBI_FILE, CBI_LIST, parse_cbi_usd_ban
from rules.lists.ofac import SDN_LIST, OfacLoad, build_sdn_list
from rules.lists.un import UN_LIST, build_un_list
from rules.pack import BUILTIN_PACK, RulePack, parse_rule_pack

PACKAGE_PREFIX = "package:"
"""A manifest path inside the installed package: `package:rules.data/cbi_usd_ban.yaml`."""

OFAC_AUX_FILES = ("alt.csv", "add.csv", "sdn_comments.csv")

SourceKind = Literal[
    "builtin", "cbi", "ofac-csv", "un-xml",
    # a version stored by `lists fetch` (lists/store.py): path is its folder
    "ofac-sdn", "ofac-sls", "ofac-nonsdn", "un", "eu", "uk", "opensanctions",
]  # fmt: skip
FETCHED_KINDS = frozenset(
    {"ofac-sdn", "ofac-sls", "ofac-nonsdn", "un", "eu", "uk", "opensanctions"}
)


class ListFileError(ValueError):
    """A list file is missing, unreadable or not the one the manifest pins."""


class ListSource(BaseModel):
    """One list in the manifest: what it is, where its file is, what the operator expects."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The list's name, e.g. cbi-usd-ban, ofac-sdn")
    source: SourceKind = Field(description="builtin/cbi YAML, OFAC legacy CSV folder, UN XML")
    path: str = Field(description="A file (a folder holding sdn.csv for ofac-csv), or package:")
    version: str | None = Field(
        default=None, description="ofac-csv: the publication date (YYYY-MM-DD) the files omit"
    )
    sha256: str | None = Field(
        default=None, description="Expected SHA-256 of the file (of sdn.csv for ofac-csv)"
    )
    # What `lists fetch` adds (lists/store.py explains the fetched sha256).
    url: str | None = Field(default=None, description="Where the version was downloaded from")
    fetched_at: datetime | None = Field(default=None, description="When it was downloaded")
    entries: int | None = Field(default=None, description="Entries of this list")
    files: dict[str, str] | None = Field(default=None, description="SHA-256 of each file")


class ListManifest(BaseModel):
    """Which lists a screening run loads, in order (a later list of the same name wins)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lists: list[ListSource]


# --- manifests ---------------------------------------------------------------------------------


def builtin_manifest() -> ListManifest:
    """The lists that ship with dinarwatch: CBI bans, FinCEN 311, Iranian banks, militias."""
    sources = [
        ListSource(name=CBI_LIST, source="cbi", path=f"{PACKAGE_PREFIX}rules.data/{CBI_FILE}")
    ]
    sources += [
        ListSource(name=name, source="builtin", path=f"{PACKAGE_PREFIX}rules.data/{file}")
        for name, file in sorted(BUILTIN_FILES.items())
    ]
    return ListManifest(lists=sources)


def manifest_for(
    ofac_dir: Path | None, un_xml: Path | None, *, ofac_published: date | None = None
) -> ListManifest:
    """The built-in lists plus the OFAC folder and UN file the settings point at."""
    sources = list(builtin_manifest().lists)
    if ofac_dir is not None:
        version = ofac_published.isoformat() if ofac_published else None
        sources.append(
            ListSource(name=SDN_LIST, source="ofac-csv", path=str(ofac_dir), version=version)
        )
    if un_xml is not None:
        sources.append(ListSource(name=UN_LIST, source="un-xml", path=str(un_xml)))
    return ListManifest(lists=sources)


def read_manifest(path: Path) -> ListManifest:
    """A manifest file (YAML); relative paths in it are relative to the manifest's folder."""
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except OSError as error:
        raise ListFileError(f"cannot read list manifest {path}: {error.strerror}") from None
    manifest = ListManifest.model_validate(doc)
    return ListManifest(
        lists=[
            source
            if source.path.startswith(PACKAGE_PREFIX) or Path(source.path).is_absolute()
            else source.model_copy(update={"path": str(path.parent / source.path)})
            for source in manifest.lists
        ]
    )


def load_manifest_lists(manifest: ListManifest) -> ListSet:
    """Every list of the manifest, read, checked against its hash and parsed."""
    lists = ListSet({})
    for source in manifest.lists:
        reference = load_source(source)
        if reference.manifest is None:  # where it came from, for /health, metrics, reports
            reference = replace(reference, manifest=_provenance(reference, source))
        lists = lists.with_list(reference)
    return lists


def _provenance(reference: ReferenceList, source: ListSource) -> dict[str, object]:
    """The manifest a loaded list carries: the fetch manifest when its file or folder is a
    version `lists fetch` stored (lists/store.py), else its own manifest entry."""
    if source.source in ("ofac-csv", "un-xml"):
        from lists.store import stored_provenance

        fetched = stored_provenance(reference, Path(source.path))
        if fetched is not None:
            return fetched
    own = source.model_copy(update={"entries": len(reference)})
    return own.model_dump(mode="json", exclude_none=True)


def load_source(source: ListSource) -> ReferenceList:
    """One manifest entry as a list."""
    if source.source in FETCHED_KINDS:
        from lists.store import load_stored

        return load_stored(source)
    if source.source == "ofac-csv":
        return load_ofac_dir(
            Path(source.path),
            published=date.fromisoformat(source.version) if source.version else None,
            sha256=source.sha256,
        ).reference
    data = _read(source.path, source.sha256)
    if source.source == "un-xml":
        return build_un_list(data, list_name=source.name, source=f"UN XML: {_name(source.path)}")
    text = data.decode("utf-8")
    if source.source == "cbi":
        return parse_cbi_usd_ban(text)
    return parse_builtin_list(source.name, text)


# --- the shortcuts adapters use --------------------------------------------------------------


def builtin_lists() -> ListSet:
    """Every list that ships with dinarwatch."""
    return load_manifest_lists(builtin_manifest())


def load_lists(
    ofac_dir: Path | None, un_xml: Path | None, *, ofac_published: date | None = None
) -> ListSet:
    """The built-in lists plus OFAC's SDN CSV files and the UN XML when configured."""
    return load_manifest_lists(manifest_for(ofac_dir, un_xml, ofac_published=ofac_published))


def load_builtin_list(name: str) -> ReferenceList:
    """One packaged built-in list by name (fincen-311, iran-banks, militia-fronts, ...)."""
    text = _read(f"{PACKAGE_PREFIX}rules.data/{BUILTIN_FILES[name]}", None).decode("utf-8")
    return parse_builtin_list(name, text)


def load_cbi_usd_ban() -> ReferenceList:
    """The packaged CBI USD-ban list."""
    return parse_cbi_usd_ban(_read(f"{PACKAGE_PREFIX}rules.data/{CBI_FILE}", None).decode())


def load_rule_pack(path: Path | None = None) -> RulePack:
    """The pack at `path`, or the built-in "iraq" pack."""
    where = str(path) if path is not None else f"{PACKAGE_PREFIX}rules.packs/{BUILTIN_PACK}"
    return parse_rule_pack(_read(where, None).decode("utf-8"))


def default_context(
    rule_pack: Path | None = None, lists: ListSet | None = None
) -> ScreeningContext:
    """The context workers, screen and replay start from."""
    return ScreeningContext.build(load_rule_pack(rule_pack), lists or builtin_lists())


def load_ofac_csv(
    sdn: Path,
    alt: Path | None = None,
    add: Path | None = None,
    comments: Path | None = None,
    *,
    published: date | None = None,
    list_name: str = SDN_LIST,
    sha256: str | None = None,
) -> OfacLoad:
    """OFAC's legacy CSV files read from disk (sdn.csv checked against `sha256` when given)."""
    aux = [p for p in (alt, add, comments) if p is not None]
    return build_sdn_list(
        _read(str(sdn), sha256),
        *(_read(str(p), None) if p is not None else None for p in (alt, add, comments)),
        published=published,
        list_name=list_name,
        source=f"OFAC legacy CSV: {sdn.name}" + "".join(f", {p.name}" for p in aux),
    )


def load_ofac_dir(
    folder: Path, *, published: date | None = None, sha256: str | None = None
) -> OfacLoad:
    """sdn.csv and whichever of alt.csv, add.csv, sdn_comments.csv sit beside it."""
    sdn = folder / "sdn.csv"
    if not sdn.is_file():
        raise ListFileError(f"no sdn.csv in {folder} (OFAC XML is not supported yet)")
    alt, add, comments = (folder / name for name in OFAC_AUX_FILES)
    return load_ofac_csv(
        sdn,
        alt if alt.is_file() else None,
        add if add.is_file() else None,
        comments if comments.is_file() else None,
        published=published,
        sha256=sha256,
    )


def load_un_xml(path: Path, *, list_name: str = UN_LIST) -> ReferenceList:
    """The UN consolidated list in `path`."""
    return build_un_list(_read(str(path), None), list_name=list_name, source=f"UN XML: {path.name}")


# --- reading ---------------------------------------------------------------------------------


def _read(where: str, sha256: str | None) -> bytes:
    """The bytes at `where` (a path or package:pkg/file), checked against `sha256` if given."""
    try:
        if where.startswith(PACKAGE_PREFIX):
            package, _, file = where.removeprefix(PACKAGE_PREFIX).partition("/")
            data = resources.files(package).joinpath(file).read_bytes()
        else:
            data = Path(where).read_bytes()
    except OSError as error:
        raise ListFileError(f"cannot read list file {where}: {error.strerror}") from None
    if sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise ListFileError(
                f"list file {where} has SHA-256 {actual}, the manifest expects {sha256}: "
                f"fetch the file again or update the manifest"
            )
    return data


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]
