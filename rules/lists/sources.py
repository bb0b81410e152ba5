"""The list sources dinarwatch can load, what files each publishes, and one parse entry point.

`SOURCES` is the registry `lists fetch` works from: per source, the file names it publishes,
the official URL of each, and its cadence (how often the publisher issues the list; a list
fetched longer ago than that is stale and raises an alert). `parse_source` is pure: the caller
downloads or reads the files and passes their bytes by file name; any file that is not the
source's format raises ListFormatError with one line saying which file and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree

from rules.lists.base import ReferenceList
from rules.lists.errors import ListFormatError
from rules.lists.ofac import build_sdn_list
from rules.lists.un import build_un_list

__all__ = ["SOURCES", "ListFormatError", "SourceSpec", "parse_source", "source_spec"]

Parser = Callable[[Mapping[str, bytes], date | None], list[ReferenceList]]

OFAC_SLS_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
"""OFAC's Sanctions List Service serves every export (CSV and XML) from this folder."""


@dataclass(frozen=True)
class SourceSpec:
    """One source: its files (required first), their official URLs, and its cadence.

    `alternatives` are file sets the source may also come as (e.g. the non-SDN list as CSV or
    as advanced XML); a download needs the `required` files of one of them.
    """

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    urls: Mapping[str, str]
    cadence: timedelta
    parser: Parser
    alternatives: tuple[tuple[str, ...], ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """Every file name the source publishes, required first."""
        return (*self.required, *self.optional)

    @property
    def folder_url(self) -> str | None:
        """The folder a multi-file source's files share (what `--url` takes for it), else None."""
        if len(self.urls) < 2:
            return None
        folders = {url.rsplit("/", 1)[0] + "/" for url in self.urls.values()}
        return folders.pop() if len(folders) == 1 else None


def _file(files: Mapping[str, bytes], name: str, source: str) -> bytes:
    """The file `name` (case-insensitive: OFAC serves SDN.CSV, the docs say sdn.csv)."""
    found = _lookup(files, name)
    if found is None:
        raise ListFormatError(f"{source}: file {name} is missing")
    return found


def _lookup(files: Mapping[str, bytes], name: str) -> bytes | None:
    lowered = {key.lower(): value for key, value in files.items()}
    return lowered.get(name.lower())


def check_csv_complete(data: bytes, file: str) -> None:
    """Refuse an OFAC CSV cut off mid-row: every published file ends with a newline or 0x1A."""
    if not data.strip():
        raise ListFormatError(f"{file} is empty")
    if not data.endswith((b"\x1a", b"\n")):
        raise ListFormatError(f"{file} ends mid-row (truncated download?)")


def _parse_ofac_sdn(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    sdn = _file(files, "sdn.csv", "ofac-sdn")
    optional = {name: _lookup(files, name) for name in ("alt.csv", "add.csv", "sdn_comments.csv")}
    for name, data in [("sdn.csv", sdn), *optional.items()]:
        if data is not None:
            check_csv_complete(data, name)
    try:
        load = build_sdn_list(
            sdn,
            optional["alt.csv"],
            optional["add.csv"],
            optional["sdn_comments.csv"],
            published=published,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise ListFormatError(f"sdn.csv is not OFAC's legacy CSV: {error}") from None
    if not load.reference.entries:
        raise ListFormatError("sdn.csv holds no SDN rows")
    return [load.reference]


def _parse_un(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    data = _file(files, "consolidated.xml", "un")
    try:
        reference = build_un_list(data)
    except etree.XMLSyntaxError as error:
        raise ListFormatError(f"consolidated.xml is not well-formed XML: {error}") from None
    except ValueError as error:
        raise ListFormatError(f"consolidated.xml is not the UN list format: {error}") from None
    if not reference.entries:
        raise ListFormatError("consolidated.xml holds no INDIVIDUAL or ENTITY")
    return [reference]


def _not_yet(source: str) -> Parser:
    def parse(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
        raise ListFormatError(f"{source}: no loader for this source in this build")

    return parse


SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            name="ofac-sdn",
            title="OFAC SDN list, legacy CSV set",
            required=("sdn.csv",),
            optional=("add.csv", "alt.csv", "sdn_comments.csv"),
            urls={
                f: OFAC_SLS_EXPORTS + f.upper()
                for f in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
            },
            cadence=timedelta(days=1),
            parser=_parse_ofac_sdn,
        ),
        SourceSpec(
            name="ofac-sls",
            title="OFAC SDN list, Sanctions List Service advanced XML",
            required=("sdn_advanced.xml",),
            optional=(),
            urls={"sdn_advanced.xml": OFAC_SLS_EXPORTS + "SDN_ADVANCED.XML"},
            cadence=timedelta(days=1),
            parser=_not_yet("ofac-sls"),
        ),
        SourceSpec(
            name="ofac-nonsdn",
            title="OFAC consolidated non-SDN lists",
            required=("cons_prim.csv",),
            optional=("cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
            urls={
                f: OFAC_SLS_EXPORTS + f.upper()
                for f in ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")
            },
            cadence=timedelta(days=1),
            parser=_not_yet("ofac-nonsdn"),
        ),
        SourceSpec(
            name="un",
            title="UN Security Council Consolidated List",
            required=("consolidated.xml",),
            optional=(),
            urls={
                "consolidated.xml": "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
            },
            cadence=timedelta(days=1),
            parser=_parse_un,
        ),
        SourceSpec(
            name="eu",
            title="EU consolidated financial sanctions list",
            required=("xmlFullSanctionsList_1_1.xml",),
            optional=(),
            urls={
                "xmlFullSanctionsList_1_1.xml": "https://webgate.ec.europa.eu/fsd/fsf/public/files/"
                "xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
            },
            cadence=timedelta(days=1),
            parser=_not_yet("eu"),
        ),
        SourceSpec(
            name="uk",
            title="UK Sanctions List (FCDO)",
            required=("UK-Sanctions-List.xml",),
            optional=(),
            urls={
                "UK-Sanctions-List.xml": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"
            },
            cadence=timedelta(days=1),
            parser=_not_yet("uk"),
        ),
        SourceSpec(
            name="opensanctions",
            title="OpenSanctions consolidated sanctions (FollowTheMoney entities)",
            required=("entities.ftm.json",),
            optional=(),
            urls={
                "entities.ftm.json": "https://data.opensanctions.org/datasets/latest/sanctions/"
                "entities.ftm.json"
            },
            cadence=timedelta(days=1),
            parser=_not_yet("opensanctions"),
        ),
    )
}


def source_spec(source: str) -> SourceSpec:
    """The spec of `source`, or ListFormatError naming the known sources."""
    spec = SOURCES.get(source)
    if spec is None:
        raise ListFormatError(f"unknown list source {source!r} (known: {', '.join(SOURCES)})")
    return spec


def parse_source(
    source: str, files: Mapping[str, bytes], *, published: date | None = None
) -> list[ReferenceList]:
    """The lists in `files` (file name -> bytes) as `source` publishes them. Pure.

    `published` dates a source whose files carry no date (OFAC's CSV); a date inside the file
    wins where the format has one.
    """
    return source_spec(source).parser(files, published)
