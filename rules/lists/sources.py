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
from rules.lists.eu import build_eu_list
from rules.lists.ftm import build_ftm_list
from rules.lists.ofac import SDN_LIST, SDN_TITLE, build_sdn_list
from rules.lists.ofac_advanced import build_advanced_list
from rules.lists.ofac_xml import build_enhanced_list
from rules.lists.uk import build_uk_list
from rules.lists.un import build_un_list

__all__ = ["SOURCES", "ListFormatError", "SourceSpec", "parse_source", "source_spec"]

Parser = Callable[[Mapping[str, bytes], date | None], list[ReferenceList]]

OFAC_SLS_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
"""OFAC's Sanctions List Service serves every export (CSV and XML) from this folder."""
NONSDN_LIST = "ofac-nonsdn"
NONSDN_TITLE = "OFAC consolidated non-SDN lists"
NONSDN_URL = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"


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


def _parse_ofac_sls(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    data = _file(files, "sdn_enhanced.xml", "ofac-sls")
    return [_ofac_xml(data, SDN_LIST, SDN_TITLE, "sdn_enhanced.xml")]


def _ofac_xml(data: bytes, list_name: str, title: str, file: str) -> ReferenceList:
    """An OFAC SLS XML file: the enhanced format (root sanctionsData) or the advanced one
    (root Sanctions), told apart by its root element."""
    if b"<sanctionsData" in data[:4096]:
        return build_enhanced_list(
            data, list_name=list_name, title=title, file=file, source="OFAC SLS enhanced XML"
        )
    return build_advanced_list(
        data, list_name=list_name, title=title, file=file, source="OFAC SLS advanced XML"
    )


def _parse_ofac_nonsdn(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    xml = _lookup(files, "cons_enhanced.xml")
    if xml is not None and _lookup(files, "cons_prim.csv") is None:
        return [_ofac_xml(xml, NONSDN_LIST, NONSDN_TITLE, "cons_enhanced.xml")]
    prim = _file(files, "cons_prim.csv", "ofac-nonsdn")
    aux = {n: _lookup(files, n) for n in ("cons_alt.csv", "cons_add.csv", "cons_comments.csv")}
    for name, data in [("cons_prim.csv", prim), *aux.items()]:
        if data is not None:
            check_csv_complete(data, name)
    try:
        load = build_sdn_list(
            prim,
            aux["cons_alt.csv"],
            aux["cons_add.csv"],
            aux["cons_comments.csv"],
            published=published,
            list_name=NONSDN_LIST,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise ListFormatError(f"cons_prim.csv is not OFAC's legacy CSV: {error}") from None
    if not load.reference.entries:
        raise ListFormatError("cons_prim.csv holds no rows")
    # The CSV mapper words its legal source for the SDN list; these entries are non-SDN.
    entries = [
        entry.model_copy(
            update={
                "legal_source": entry.legal_source.replace("OFAC SDN list", NONSDN_TITLE, 1),
                "source_urls": [NONSDN_URL],
            }
        )
        for entry in load.reference.entries
    ]
    source = "OFAC consolidated non-SDN legacy CSV"
    return [
        ReferenceList.build(
            NONSDN_LIST, entries, title=NONSDN_TITLE, published=published, source=source
        )
    ]


def _parse_eu(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    name = "xmlFullSanctionsList_1_1.xml"
    return [build_eu_list(_file(files, name, "eu"), file=name)]


def _parse_uk(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    name = "UK-Sanctions-List.xml"
    return [build_uk_list(_file(files, name, "uk"), file=name)]


def _parse_opensanctions(files: Mapping[str, bytes], published: date | None) -> list[ReferenceList]:
    name = "entities.ftm.json"
    return [build_ftm_list(_file(files, name, "opensanctions"), published=published, file=name)]


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
            title="OFAC SDN list, Sanctions List Service XML (enhanced or advanced)",
            required=("sdn_enhanced.xml",),
            optional=(),
            urls={"sdn_enhanced.xml": OFAC_SLS_EXPORTS + "SDN_ENHANCED.XML"},
            cadence=timedelta(days=1),
            parser=_parse_ofac_sls,
        ),
        SourceSpec(
            name="ofac-nonsdn",
            title="OFAC consolidated non-SDN lists",
            required=("cons_prim.csv",),
            optional=("cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
            urls={
                f: OFAC_SLS_EXPORTS + f.upper()
                for f in (
                    "cons_prim.csv",
                    "cons_add.csv",
                    "cons_alt.csv",
                    "cons_comments.csv",
                    "cons_enhanced.xml",
                )
            },
            cadence=timedelta(days=1),
            parser=_parse_ofac_nonsdn,
            alternatives=(("cons_enhanced.xml",),),
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
            parser=_parse_eu,
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
            parser=_parse_uk,
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
            parser=_parse_opensanctions,
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
    spec = source_spec(source)
    try:
        return spec.parser(files, published)
    except ListFormatError:
        raise
    except (ValueError, KeyError, TypeError) as error:
        # A file of the right shape holding a value its format forbids (a bad date, ...).
        reason = " ".join(str(error).split())[:200]
        raise ListFormatError(f"{source}: unreadable record ({reason})") from None
