"""Loader for OFAC's Sanctions List Service XML: the enhanced format (SDN_ENHANCED.XML,
CONS_ENHANCED.XML), which OFAC publishes for the SDN list and the consolidated non-SDN lists.

Unlike the legacy CSV, the enhanced XML says what the CSV leaves in free text: each
`<entity>` has its lists with the day it was published on each (`datePublished`: the listing
date), its programs, every name with OFAC's own alias quality (`isLowQuality`: OFAC's weak
a.k.a.s, which the CSV writes in quotes in Remarks), identity documents (registration, tax and
passport numbers; IMO as "Vessel Registration Identification") and features (SWIFT/BIC,
nationality, vessel flag). Weak names go to ListEntry.weak_names, which the matcher finds by
whole-name equality only, exactly as it treats the CSV's quoted a.k.a.s.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from rules.lists import identifiers
from rules.lists.base import ReferenceList
from rules.lists.countries import country_code
from rules.lists.errors import ListFormatError
from rules.lists.xmlread import children, descendants, parse_root, raw_xml, text
from schemas.listentry import ListEntry

SLS_SEARCH_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id="
_KINDS = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
_COUNTRY_FEATURES = ("nationality", "citizenship", "vessel flag", "nationality of registration")


def parse_enhanced_xml(data: bytes, list_name: str, file: str) -> tuple[list[ListEntry], date]:
    """Entries of an OFAC enhanced XML document, and its dataAsOf day."""
    root = parse_root(data, file, "sanctionsData")
    as_of = text(root, "publicationInfo", "dataAsOf")
    if as_of is None:
        raise ListFormatError(f"{file} has no publicationInfo/dataAsOf")
    entities = next(children(root, "entities"), None)
    if entities is None:
        raise ListFormatError(f"{file} has no <entities> (truncated download?)")
    entries = [_map(node, list_name) for node in children(entities, "entity")]
    if not entries:
        raise ListFormatError(f"{file} holds no <entity>")
    return entries, datetime.fromisoformat(as_of).date()


def build_enhanced_list(
    data: bytes, *, list_name: str, title: str, file: str, source: str
) -> ReferenceList:
    """The list in an enhanced XML file, versioned by its dataAsOf day and content."""
    entries, as_of = parse_enhanced_xml(data, list_name, file)
    return ReferenceList.build(list_name, entries, title=title, published=as_of, source=source)


def _map(node: etree._Element, list_name: str) -> ListEntry:
    uid = node.get("id") or "unknown"
    kind = (text(node, "generalInfo", "entityType") or "entity").lower()
    strong, weak, original = _names(node)
    lists = list(descendants(node, "sanctionsList"))
    published = sorted(d for n in lists if (d := n.get("datePublished")))
    programs = [t for n in descendants(node, "sanctionsProgram") if (t := text(n))]
    features = _features(node)
    documents = _documents(node)
    bic_list = identifiers.bics(v for name, v in features if name == "swift/bic")
    imos = identifiers.imo_numbers(n for name, n in documents if "vessel registration" in name)
    countries = {
        code
        for name, value in features
        if name.rstrip(":").lower() in _COUNTRY_FEATURES and (code := country_code(value))
    }
    countries |= {code for n in descendants(node, "country") if (code := country_code(text(n)))}
    registration = [number for name, number in documents if "vessel registration" not in name]
    list_titles = [t for n in lists if (t := text(n))]
    authorities = [t for n in descendants(node, "legalAuthority") if (t := text(n))]
    return ListEntry(
        entry_id=f"{list_name}-{uid}",
        list_name=list_name,
        kind=_KINDS.get(kind, "entity"),
        names=strong or weak or [uid],
        names_original_script=original,
        weak_names=[w for w in weak if w not in strong],
        bics=bic_list,
        iban_bank_codes=identifiers.iban_bank_codes(bic_list),
        imo_numbers=imos,
        registration_numbers=list(dict.fromkeys(registration)),
        countries=sorted(countries),
        programs=list(dict.fromkeys(programs)),
        listed_from=date.fromisoformat(published[0][:10]) if published else None,
        legal_source=(
            f"OFAC {' / '.join(list_titles) or 'sanctions list'}, program "
            f"{'/'.join(programs) or 'unspecified'} (uid {uid})"
            + (f"; {'; '.join(authorities)}" if authorities else "")
        ),
        source_urls=[f"{SLS_SEARCH_URL}{uid}"],
        remarks=text(node, "generalInfo", "remarks"),
        raw={"format": "ofac-enhanced-xml", "xml": raw_xml(node)},
    )


def _names(node: etree._Element) -> tuple[list[str], list[str], list[str]]:
    """(strong names, primary first; weak names; non-Latin names) of an entity."""
    strong: list[str] = []
    weak: list[str] = []
    original: list[str] = []
    names = sorted(descendants(node, "name"), key=lambda n: text(n, "isPrimary") != "true")
    for name in names:
        low = text(name, "isLowQuality") == "true"
        for translation in descendants(name, "translation"):
            full = text(translation, "formattedFullName")
            if not full:
                continue
            (weak if low else strong).append(full)
            if (text(translation, "script") or "Latin") != "Latin":
                original.append(full)
    return list(dict.fromkeys(strong)), list(dict.fromkeys(weak)), list(dict.fromkeys(original))


def _features(node: etree._Element) -> list[tuple[str, str]]:
    """(feature type in lower case, value) for every feature with a value."""
    found = []
    for feature in descendants(node, "feature"):
        kind = (text(feature, "type") or "").lower()
        value = text(feature, "value")
        if value:
            found.append((kind, value))
    return found


def _documents(node: etree._Element) -> list[tuple[str, str]]:
    """(document type in lower case, number) for every identity document."""
    found = []
    for document in descendants(node, "identityDocument"):
        number = text(document, "documentNumber")
        if number:
            found.append(((text(document, "type") or "").lower(), number))
    return found
