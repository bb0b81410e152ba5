"""Loader for OpenSanctions' FollowTheMoney entity files (`entities.ftm.json`, one JSON entity
per line), the format of every OpenSanctions dataset and collection, among them Iraq's AML/CFT
Office freeze list (`iq_aml_list`).

A file holds the listed subjects (`target: true`: Person, Organization, Company, LegalEntity,
Vessel, Airplane, ...) and the entities that describe them: `Sanction` (program, authority,
listing and end dates, linked by its `entity` property), `Identification`/`Passport`
(`holder`), addresses, ownerships. Each target maps to one ListEntry; its sanctions give the
programs and the listing date, `weakAlias` goes to ListEntry.weak_names (matched by whole-name
equality only), and SWIFT/BIC, IMO and registration/tax numbers to their fields. Entities
that are not targets (owners, addresses) are not screened against.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import orjson

from rules.lists import identifiers
from rules.lists.base import ReferenceList
from rules.lists.errors import ListFormatError
from schemas.listentry import ListEntry

OPENSANCTIONS_LIST = "opensanctions"
OPENSANCTIONS_TITLE = "OpenSanctions (FollowTheMoney entities)"
ENTITY_URL = "https://www.opensanctions.org/entities/"
_KINDS = {"Person": "individual", "Vessel": "vessel", "Airplane": "aircraft"}
_TARGET_SCHEMAS = frozenset(
    {
        "Person",
        "Organization",
        "Company",
        "LegalEntity",
        "PublicBody",
        "Vessel",
        "Airplane",
        "Security",
    }
)
_REGISTRATION_PROPS = (
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "kppCode",
    "vatCode",
    "leiCode",
    "uniqueEntityId",
    "idNumber",
    "passportNumber",
    "okpoCode",
)
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "flag", "mainCountry")


def parse_ftm(
    data: bytes, list_name: str = OPENSANCTIONS_LIST, file: str = "entities.ftm.json"
) -> tuple[list[ListEntry], date | None]:
    """Entries for the target entities of a FtM line file, and the latest change day in it.

    One pass over the lines, keeping only targets, Sanctions and identity documents: a
    collection file holds many more entities (addresses, ownerships, ...) than it lists."""
    targets: list[dict[str, Any]] = []
    sanctions: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    documents: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    last_change = ""
    for entity in iter_ftm_lines(data, file):
        schema = entity.get("schema")
        props = entity.get("properties", {})
        if schema in _TARGET_SCHEMAS and entity.get("target", True):
            targets.append(entity)
        elif schema == "Sanction":
            for target in props.get("entity", []):
                sanctions[target].append(entity)
        elif schema in ("Identification", "Passport"):
            for holder in props.get("holder", []):
                documents[holder].append(entity)
        last_change = max(last_change, str(entity.get("last_change") or "")[:10])
    if not targets:
        raise ListFormatError(f"{file} holds no target entity (Person, Organization, ...)")
    entries = [
        _map(e, sanctions.get(e["id"], []), documents.get(e["id"], []), list_name) for e in targets
    ]
    return entries, date.fromisoformat(last_change) if last_change else None


def iter_ftm_lines(data: bytes, file: str) -> Iterator[dict[str, Any]]:
    """The JSON entities of a line-delimited file, one at a time (no copy of the file); a bad
    or cut-off line is a ListFormatError naming its number."""
    if not data.strip():
        raise ListFormatError(f"{file} is empty")
    stream = io.BytesIO(data)
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            entity = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise ListFormatError(
                f"{file} line {number} is not a JSON entity (truncated download?)"
            ) from None
        if not isinstance(entity, dict) or "id" not in entity or "schema" not in entity:
            raise ListFormatError(f"{file} line {number} is not a FollowTheMoney entity")
        yield entity


def build_ftm_list(
    data: bytes,
    *,
    list_name: str = OPENSANCTIONS_LIST,
    published: date | None = None,
    file: str = "entities.ftm.json",
    source: str = "OpenSanctions FtM",
) -> ReferenceList:
    """The list in a FtM file, versioned by `published` (else its latest change day) and content."""
    entries, last_change = parse_ftm(data, list_name, file)
    return ReferenceList.build(
        list_name,
        entries,
        title=OPENSANCTIONS_TITLE,
        published=published or last_change,
        source=source,
    )


def _map(
    entity: Mapping[str, Any],
    sanctions: list[Mapping[str, Any]],
    documents: list[Mapping[str, Any]],
    list_name: str,
) -> ListEntry:
    props: Mapping[str, list[str]] = entity.get("properties", {})
    uid = str(entity["id"])
    caption = str(entity.get("caption") or "")
    strong = _unique([caption, *props.get("name", []), *props.get("alias", [])])
    strong += [p for p in _unique(props.get("previousName", [])) if p not in strong]
    weak = [w for w in _unique(props.get("weakAlias", [])) if w not in strong]
    original = identifiers.non_latin(strong)
    bic_list = identifiers.bics(props.get("swiftBic", []))
    registration = _unique(
        [
            *(v for prop in _REGISTRATION_PROPS for v in props.get(prop, [])),
            *(v for d in documents for v in d.get("properties", {}).get("number", [])),
        ]
    )
    countries = {c.upper() for prop in _COUNTRY_PROPS for c in props.get(prop, []) if _is_iso2(c)}
    sanction_props = [s.get("properties", {}) for s in sanctions]
    programs = _unique(
        [*(p for s in sanction_props for p in s.get("programId", []) or s.get("program", []))]
    )
    datasets = [str(d) for d in entity.get("datasets", [])]
    starts = sorted(
        d for s in sanction_props for d in [*s.get("listingDate", []), *s.get("startDate", [])]
    )
    listed_from, confidence = _partial_date(starts[0]) if starts else (None, None)
    authorities = _unique([a for s in sanction_props for a in s.get("authority", [])])
    urls = _unique(
        [
            f"{ENTITY_URL}{uid}/",
            *props.get("sourceUrl", []),
            *(u for s in sanction_props for u in s.get("sourceUrl", [])),
        ]
    )
    return ListEntry(
        entry_id=f"{list_name}-{uid}",
        list_name=list_name,
        kind=_KINDS.get(str(entity.get("schema")), "entity"),
        names=strong or weak or [uid],
        names_original_script=original,
        weak_names=weak,
        bics=bic_list,
        iban_bank_codes=identifiers.iban_bank_codes(bic_list),
        imo_numbers=identifiers.imo_numbers(props.get("imoNumber", [])),
        registration_numbers=registration,
        countries=sorted(countries),
        programs=_unique([*programs, *datasets]),
        listed_from=listed_from,
        date_confidence=confidence,
        legal_source=(
            f"OpenSanctions {', '.join(datasets) or 'dataset unknown'} (entity {uid})"
            + (f"; {'; '.join(authorities)}" if authorities else "")
        ),
        source_urls=urls,
        remarks="; ".join(props.get("notes", [])) or None,
        raw={"format": "ftm", "entity": dict(entity), "sanctions": [dict(s) for s in sanctions]},
    )


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(str(v).split()) for v in values if str(v).strip()))


def _is_iso2(code: str) -> bool:
    return len(code) == 2 and code.isalpha()


def _partial_date(value: str) -> tuple[date | None, str | None]:
    """FtM dates may be partial ("2022", "2022-06"): the first day, and a confidence saying so."""
    parts = value[:10].split("-")
    try:
        numbers = [int(p) for p in parts]
        full = date(numbers[0], *(numbers[1:3] + [1] * (3 - len(numbers))))
    except (ValueError, IndexError):
        return None, None
    return full, None if len(numbers) == 3 else f"source gives {value[:10]} only"
