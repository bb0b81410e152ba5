"""Loader for the UK Sanctions List (FCDO) in its XML format (UK-Sanctions-List.xml).

Since 28 January 2026 the UK Sanctions List is the single official source of UK designations
(OFSI's Consolidated List closed), so this is the format loaded. One `<Designation>` per
subject: UniqueID (e.g. AFG0001), OFSI group ID, DateDesignated (dd/mm/yyyy: the listing
date), regime, names built from Name1..Name6 with NameType and, where given, AliasStrength
("Low quality a.k.a" names go to ListEntry.weak_names: whole-name equality only), non-Latin
names, business registration, passport and national identifier numbers, IMO numbers of ships,
nationalities and address countries.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from rules.lists import identifiers
from rules.lists.base import ReferenceList
from rules.lists.countries import country_code
from rules.lists.errors import ListFormatError
from rules.lists.xmlread import children, descendants, parse_root, raw_xml, text, texts
from schemas.listentry import ListEntry

UK_LIST = "uk-sanctions"
UK_TITLE = "UK Sanctions List"
UK_URL = "https://www.gov.uk/government/publications/the-uk-sanctions-list"
_KINDS = {"individual": "individual", "entity": "entity", "ship": "vessel"}
_NAME_PARTS = ("Name1", "Name2", "Name3", "Name4", "Name5", "Name6")


def parse_uk_xml(
    data: bytes, list_name: str = UK_LIST, file: str = "UK XML"
) -> tuple[list[ListEntry], date | None]:
    """Entries of a UK Sanctions List XML document, and the day it was generated."""
    root = parse_root(data, file, "Designations")
    entries = [_map(node, list_name) for node in children(root, "Designation")]
    if not entries:
        raise ListFormatError(f"{file} holds no <Designation>")
    return entries, _uk_date(text(root, "DateGenerated"))


def build_uk_list(
    data: bytes,
    *,
    list_name: str = UK_LIST,
    file: str = "UK XML",
    source: str = "UK Sanctions List XML",
) -> ReferenceList:
    """The UK list in `data`, versioned by its DateGenerated and content."""
    entries, generated = parse_uk_xml(data, list_name, file)
    return ReferenceList.build(
        list_name, entries, title=UK_TITLE, published=generated, source=source
    )


def _map(node: etree._Element, list_name: str) -> ListEntry:
    unique_id = text(node, "UniqueID") or text(node, "OFSIGroupID") or "unknown"
    strong: list[str] = []
    weak: list[str] = []
    for name in descendants(node, "Name"):
        full = " ".join(p for part in _NAME_PARTS if (p := text(name, part)))
        if not full:
            continue
        low = "low quality" in (text(name, "AliasStrength") or "").lower()
        primary = (text(name, "NameType") or "").lower() == "primary name"
        if low:
            weak.append(full)
        elif primary:
            strong.insert(0, full)
        else:
            strong.append(full)
    original = texts(node, "NameNonLatinScript")
    regime = text(node, "RegimeName")
    kind = (text(node, "IndividualEntityShip") or "entity").lower()
    other = text(node, "OtherInformation")
    bic_list = identifiers.bics(identifiers.BIC_IN_TEXT.findall(other or ""))
    registration = [
        *texts(node, "BusinessRegistrationNumber"),
        *texts(node, "PassportNumber"),
        *texts(node, "NationalIdentifierNumber"),
    ]
    countries = {
        code
        for tag in ("Nationality", "AddressCountry", "CurrentBelievedFlagOfShip")
        for value in texts(node, tag)
        if (code := country_code(value))
    }
    un_reference = text(node, "UNReferenceNumber")
    strong = list(dict.fromkeys(strong))
    return ListEntry(
        entry_id=f"{list_name}-{unique_id}",
        list_name=list_name,
        kind=_KINDS.get(kind, "entity"),
        names=list(dict.fromkeys([*strong, *original])) or weak or [unique_id],
        names_original_script=original,
        weak_names=[w for w in dict.fromkeys(weak) if w not in strong],
        bics=bic_list,
        iban_bank_codes=identifiers.iban_bank_codes(bic_list),
        imo_numbers=identifiers.imo_numbers(texts(node, "IMONumber")),
        registration_numbers=list(dict.fromkeys(registration)),
        countries=sorted(countries),
        programs=[regime] if regime else [],
        listed_from=_uk_date(text(node, "DateDesignated")),
        legal_source=(
            f"UK Sanctions List, {regime or 'regime unspecified'} (UniqueID {unique_id}"
            + (f", UN {un_reference}" if un_reference else "")
            + (f"; {text(node, 'SanctionsImposed')}" if text(node, "SanctionsImposed") else "")
            + ")"
        ),
        source_urls=[UK_URL],
        remarks=other,
        raw={"format": "uk-sanctions-list-xml", "xml": raw_xml(node)},
    )


def _uk_date(value: str | None) -> date | None:
    """dd/mm/yyyy -> date; None for a blank or masked date ("dd/mm/1957")."""
    if not value:
        return None
    parts = value.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        return None
