"""Loader for OFAC's SDN list in its legacy CSV format (sdn.csv + optional alt/add/comments).

Three separate steps, as in moov-io/watchman: read (bytes -> rows), parse (rows -> SdnRecord, the
raw record kept for audit) and map (SdnRecord -> ListEntry, pure). The CSV files have no header,
are cp1252, write "-0-" for empty and end with a 0x1A byte. Several programs share one field as
`IRAN] [SDGT] [IFSR`. Identifiers that have no column of their own (SWIFT/BIC, IMO, a.k.a./f.k.a.
aliases, nationality) live in free-text Remarks, so they are parsed out of it.

The legacy CSV carries no designation dates: entries get listed_from=None (in force since before
records). alt.csv/add.csv of a newer day may point at ent_nums the sdn.csv lacks; those rows are
skipped and counted (OfacLoad.skipped) rather than invented as entries.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rules.lists.base import ReferenceList
from rules.lists.countries import country_code
from schemas.listentry import ListEntry

SDN_LIST = "ofac-sdn"
SDN_TITLE = "OFAC Specially Designated Nationals and Blocked Persons List"
SDN_URL = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
_EMPTY = "-0-"
_KINDS = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}

_BIC = re.compile(r"SWIFT/BIC\s+([A-Z0-9]{8}(?:[A-Z0-9]{3})?)\b")
_IMO = re.compile(r"\bIMO\s+(\d{7})\b")
_ALIAS = re.compile(r"^(?:alt\.\s+)?([afn])\.k\.a\.\s+'(.*)'$")
_NATIONALITY = re.compile(
    r"^(?:alt\.\s+)?(?:nationality|citizen|Nationality of Registration)\s+(.+)$"
)


@dataclass(frozen=True)
class SdnRecord:
    """One sdn.csv row as published (empty cells None), plus the rows joined to it."""

    ent_num: str
    name: str
    sdn_type: str | None
    programs: tuple[str, ...]
    title: str | None
    call_sign: str | None
    vessel_type: str | None
    vessel_flag: str | None
    vessel_owner: str | None
    remarks: str | None
    aliases: tuple[tuple[str, str], ...] = ()
    address_countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemarkFacts:
    """Identifiers found in a Remarks field."""

    bics: tuple[str, ...] = ()
    imo_numbers: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    nationalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfacLoad:
    """A loaded SDN list and what the join had to leave out (for the load report)."""

    reference: ReferenceList
    skipped: Mapping[str, int] = field(default_factory=dict)


# --- read -------------------------------------------------------------------------------------


def read_ofac_rows(data: bytes) -> list[list[str]]:
    """Rows of one OFAC legacy CSV file: cp1252, trailing 0x1A removed, cells stripped."""
    text = data.decode("cp1252").rstrip("\x1a\r\n")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if row]


def _cell(value: str) -> str | None:
    return None if value in ("", _EMPTY) else value


# --- parse ------------------------------------------------------------------------------------


def split_programs(field_value: str | None) -> tuple[str, ...]:
    """`IRAN] [SDGT] [IFSR` -> ("IRAN", "SDGT", "IFSR")."""
    if not field_value:
        return ()
    return tuple(p.strip(" []") for p in field_value.split("] [") if p.strip(" []"))


def parse_sdn_rows(rows: Iterable[Sequence[str]]) -> dict[str, SdnRecord]:
    """sdn.csv rows by ent_num. Short or malformed rows are ignored."""
    records: dict[str, SdnRecord] = {}
    for row in rows:
        if len(row) < 12 or not row[0].isdigit():
            continue
        cells = [_cell(c) for c in row]
        records[row[0]] = SdnRecord(
            ent_num=row[0],
            name=row[1],
            sdn_type=cells[2],
            programs=split_programs(cells[3]),
            title=cells[4],
            call_sign=cells[5],
            vessel_type=cells[6],
            vessel_flag=cells[9],
            vessel_owner=cells[10],
            remarks=cells[11],
        )
    return records


def parse_remarks(remarks: str | None) -> RemarkFacts:
    """SWIFT/BIC, IMO, a.k.a./f.k.a./n.k.a. aliases and nationalities written in Remarks."""
    if not remarks:
        return RemarkFacts()
    aliases: list[tuple[str, str]] = []
    nationalities: list[str] = []
    for part in remarks.split(";"):
        part = part.strip().removesuffix(".")
        alias = _ALIAS.match(part)
        if alias and alias.group(2).strip():
            aliases.append((f"{alias.group(1)}ka", alias.group(2).strip()))
            continue
        nationality = _NATIONALITY.match(part)
        if nationality:
            nationalities.append(nationality.group(1).strip())
    return RemarkFacts(
        bics=tuple(dict.fromkeys(_BIC.findall(remarks))),
        imo_numbers=tuple(dict.fromkeys(_IMO.findall(remarks))),
        aliases=tuple(aliases),
        nationalities=tuple(nationalities),
    )


def join_aux_rows(
    records: Mapping[str, SdnRecord],
    alt_rows: Iterable[Sequence[str]] = (),
    add_rows: Iterable[Sequence[str]] = (),
    comment_rows: Iterable[Sequence[str]] = (),
) -> tuple[dict[str, SdnRecord], dict[str, int]]:
    """Attach alt/add/comment rows to their SDN record by ent_num; count the orphans."""
    aliases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    countries: dict[str, list[str]] = defaultdict(list)
    comments: dict[str, list[str]] = defaultdict(list)
    skipped = {"alt": 0, "add": 0, "comments": 0}
    orphans: dict[str, set[str]] = defaultdict(set)
    for kind, rows, width in (
        ("alt", alt_rows, 4),
        ("add", add_rows, 5),
        ("comments", comment_rows, 2),
    ):
        for row in rows:
            if len(row) < width or not row[0].isdigit():
                continue
            if row[0] not in records:
                skipped[kind] += 1
                orphans[kind].add(row[0])
            elif kind == "alt" and _cell(row[3]):
                aliases[row[0]].append(((_cell(row[2]) or "aka").lower(), row[3]))
            elif kind == "add" and _cell(row[4]):
                countries[row[0]].append(row[4])
            elif kind == "comments" and _cell(row[1]):
                comments[row[0]].append(row[1])
    joined = {
        num: _with_aux(rec, aliases.get(num, ()), countries.get(num, ()), comments.get(num, ()))
        for num, rec in records.items()
    }
    skipped.update({f"{kind}_ent_nums": len(nums) for kind, nums in sorted(orphans.items())})
    return joined, skipped


def _with_aux(
    record: SdnRecord,
    aliases: Sequence[tuple[str, str]],
    countries: Sequence[str],
    comments: Sequence[str],
) -> SdnRecord:
    if not (aliases or countries or comments):
        return record
    # sdn_comments.csv continues a Remarks field that was too long for its column.
    remarks = "".join([record.remarks or "", *comments]) or None
    return SdnRecord(
        **{
            **record.__dict__,
            "remarks": remarks,
            "aliases": tuple(aliases),
            "address_countries": tuple(countries),
        }
    )


# --- map --------------------------------------------------------------------------------------


def legal_source(record: SdnRecord) -> str:
    """Why the entry is listed, in words an auditor can look up."""
    programs = "/".join(record.programs) or "unspecified"
    return f"OFAC SDN list, program {programs} (ent_num {record.ent_num})"


def map_sdn_record(record: SdnRecord, list_name: str = SDN_LIST) -> ListEntry:
    """The canonical entry for one SDN record. Pure; keeps the record's key facts in remarks."""
    facts = parse_remarks(record.remarks)
    names = list(
        dict.fromkeys(
            [record.name, *(a for _, a in record.aliases), *(a for _, a in facts.aliases)]
        )
    )
    country_names = [*facts.nationalities, *record.address_countries]
    if record.vessel_flag:
        country_names.append(record.vessel_flag)
    countries = sorted({c for c in map(country_code, country_names) if c})
    return ListEntry(
        entry_id=f"{list_name}-{record.ent_num}",
        list_name=list_name,
        kind=_KINDS.get(record.sdn_type or "", "entity"),
        names=names,
        bics=list(facts.bics),
        imo_numbers=list(facts.imo_numbers),
        countries=countries,
        programs=list(record.programs),
        listed_from=None,
        legal_source=legal_source(record),
        source_urls=[SDN_URL],
        remarks=_audit_remarks(record),
    )


def _audit_remarks(record: SdnRecord) -> str:
    facts = [
        ("ent_num", record.ent_num),
        ("type", record.sdn_type),
        ("title", record.title),
        ("call sign", record.call_sign),
        ("vessel type", record.vessel_type),
        ("vessel flag", record.vessel_flag),
        ("vessel owner", record.vessel_owner),
        ("remarks", record.remarks),
    ]
    return "; ".join(f"{label}: {value}" for label, value in facts if value)


# --- build (bytes in, list out; reading the files is the adapter's: lists/files.py) ------


def build_sdn_list(
    sdn: bytes,
    alt: bytes | None = None,
    add: bytes | None = None,
    comments: bytes | None = None,
    *,
    published: date | None = None,
    list_name: str = SDN_LIST,
    source: str = "OFAC legacy CSV",
) -> OfacLoad:
    """Parse, join and map OFAC's legacy CSV files (their bytes) into one versioned list.

    `published` is the day OFAC published the files when the caller knows it (the files do not
    say); without it the version is the content hash alone.
    """
    records = parse_sdn_rows(read_ofac_rows(sdn))
    joined, skipped = join_aux_rows(
        records,
        read_ofac_rows(alt) if alt is not None else [],
        read_ofac_rows(add) if add is not None else [],
        read_ofac_rows(comments) if comments is not None else [],
    )
    entries = [map_sdn_record(joined[num], list_name) for num in sorted(joined, key=int)]
    reference = ReferenceList.build(
        list_name, entries, title=SDN_TITLE, published=published, source=source
    )
    return OfacLoad(reference, skipped)
