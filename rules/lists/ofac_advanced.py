"""Loader for OFAC's Sanctions List Service advanced XML (SDN_ADVANCED.XML, CONS_ADVANCED.XML),
the UN-style "Advanced Sanctions List Standard" format.

The document is relational: reference value sets (alias, feature, document, country, party
and sanctions types by ID), locations, identity documents (linked to an Identity), distinct
parties (one per listed subject: names as Alias/DocumentedName with OFAC's `LowQuality` flag,
features such as nationality, vessel flag or SWIFT/BIC) and sanctions entries (per profile: the
entry events with their dates, the measures naming the programs). The loader resolves those
links into one ListEntry per party: LowQuality aliases go to weak_names (whole-name equality
only, like the legacy CSV's quoted a.k.a.s), the earliest entry event is the listing date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from lxml import etree

from rules.lists import identifiers
from rules.lists.base import ReferenceList
from rules.lists.countries import country_code
from rules.lists.errors import ListFormatError
from rules.lists.xmlread import child, children, descendants, parse_root, raw_xml, text
from schemas.listentry import ListEntry

SLS_SEARCH_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id="
LATIN_SCRIPT = "215"
# PartySubTypeID as OFAC assigns them, for files whose reference sets leave them out.
_DEFAULT_SUBTYPES = {"1": "vessel", "2": "aircraft", "3": "entity", "4": "individual"}
_COUNTRY_FEATURES = ("nationality", "citizenship", "flag", "location", "country")


class _References:
    """The reference value sets and the document-level tables the parties point into."""

    def __init__(self, root: etree._Element) -> None:
        sets = child(root, "ReferenceValueSets")
        self.values: dict[str, dict[str, str]] = defaultdict(dict)
        self.party_types: dict[str, str] = {}
        if sets is not None:
            for group in sets:
                for value in group:
                    if isinstance(value.tag, str) and value.get("ID"):
                        kind = etree.QName(value).localname
                        self.values[kind][value.get("ID", "")] = text(value) or ""
                        if kind == "PartySubType":
                            self.party_types[value.get("ID", "")] = value.get("PartyTypeID", "")
        self.locations = {
            loc.get("ID", ""): [c.get("CountryID", "") for c in descendants(loc, "LocationCountry")]
            for loc in descendants(root, "Location")
            if loc.get("ID")
        }
        self.documents: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for doc in descendants(root, "IDRegDocument"):
            number = text(doc, "IDRegistrationNo")
            if number:
                kind = self.values["IDRegDocType"].get(doc.get("IDRegDocTypeID", ""), "")
                self.documents[doc.get("IdentityID", "")].append((kind.lower(), number))
        self.entries: dict[str, list[etree._Element]] = defaultdict(list)
        for entry in descendants(root, "SanctionsEntry"):
            self.entries[entry.get("ProfileID", "")].append(entry)

    def country(self, country_id: str) -> str | None:
        return country_code(self.values["Country"].get(country_id))

    def kind(self, subtype_id: str) -> str:
        subtype = self.values["PartySubType"].get(subtype_id, "").lower()
        if subtype in ("vessel", "aircraft"):
            return subtype
        party = self.values["PartyType"].get(self.party_types.get(subtype_id, ""), "").lower()
        if party == "individual":
            return "individual"
        if party == "entity":
            return "entity"
        return _DEFAULT_SUBTYPES.get(subtype_id, "entity")


def parse_advanced_xml(
    data: bytes, list_name: str, file: str
) -> tuple[list[ListEntry], date | None]:
    """Entries of an OFAC advanced XML document, and its DateOfIssue."""
    root = parse_root(data, file, "Sanctions")
    parties = child(root, "DistinctParties")
    if parties is None or child(root, "SanctionsEntries") is None:
        raise ListFormatError(f"{file} lacks DistinctParties or SanctionsEntries (truncated?)")
    refs = _References(root)
    entries = [_map(party, refs, list_name) for party in children(parties, "DistinctParty")]
    if not entries:
        raise ListFormatError(f"{file} holds no <DistinctParty>")
    return entries, _date(child(root, "DateOfIssue"))


def build_advanced_list(
    data: bytes, *, list_name: str, title: str, file: str, source: str
) -> ReferenceList:
    """The list in an advanced XML file, versioned by its DateOfIssue and content."""
    entries, issued = parse_advanced_xml(data, list_name, file)
    return ReferenceList.build(list_name, entries, title=title, published=issued, source=source)


def _map(party: etree._Element, refs: _References, list_name: str) -> ListEntry:
    uid = party.get("FixedRef") or "unknown"
    profile = child(party, "Profile")
    profile_id = profile.get("ID", uid) if profile is not None else uid
    strong, weak, original = _names(party)
    identity_ids = [i.get("ID", "") for i in descendants(party, "Identity")]
    documents = [d for i in identity_ids for d in refs.documents.get(i, [])]
    features = _features(party, refs)
    countries: set[str] = set()
    for kind, detail, location_ids in features:
        if any(word in kind for word in _COUNTRY_FEATURES):
            if detail and (code := country_code(detail)):
                countries.add(code)
            for location in location_ids:
                countries |= {
                    c for cid in refs.locations.get(location, []) if (c := refs.country(cid))
                }
    bic_list = identifiers.bics(
        [n for kind, n in documents if "swift" in kind]
        + [d for kind, d, _ in features if "swift" in kind and d]
    )
    imos = identifiers.imo_numbers(n for kind, n in documents if "vessel registration" in kind)
    registration = [n for kind, n in documents if "swift" not in kind and "vessel" not in kind]
    sanctions = refs.entries.get(profile_id, [])
    programs = _programs(sanctions, refs.values)
    dates = sorted(
        d
        for e in sanctions
        for ev in descendants(e, "EntryEvent")
        if (d := _date(child(ev, "Date")))
    )
    return ListEntry(
        entry_id=f"{list_name}-{uid}",
        list_name=list_name,
        kind=refs.kind(profile.get("PartySubTypeID", "") if profile is not None else ""),
        names=strong or weak or [uid],
        names_original_script=original,
        weak_names=[w for w in weak if w not in strong],
        bics=bic_list,
        iban_bank_codes=identifiers.iban_bank_codes(bic_list),
        imo_numbers=imos,
        registration_numbers=list(dict.fromkeys(registration)),
        countries=sorted(countries),
        programs=programs,
        listed_from=dates[0] if dates else None,
        legal_source=f"OFAC sanctions list, program {'/'.join(programs) or 'unspecified'} "
        f"(uid {uid})",
        source_urls=[f"{SLS_SEARCH_URL}{uid}"],
        remarks=text(party, "Comment"),
        raw={
            "format": "ofac-advanced-xml",
            "xml": raw_xml(party),
            "sanctions_entries_xml": [raw_xml(e) for e in sanctions],
        },
    )


def _names(party: etree._Element) -> tuple[list[str], list[str], list[str]]:
    """(strong names, primary first; LowQuality names; non-Latin names) of a party."""
    strong: list[str] = []
    weak: list[str] = []
    original: list[str] = []
    aliases = sorted(descendants(party, "Alias"), key=lambda a: a.get("Primary") != "true")
    for alias in aliases:
        for documented in descendants(alias, "DocumentedName"):
            parts = [p for p in descendants(documented, "NamePartValue") if text(p)]
            name = " ".join(text(p) or "" for p in parts)
            if not name:
                continue
            (weak if alias.get("LowQuality") == "true" else strong).append(name)
            if any(p.get("ScriptID", LATIN_SCRIPT) != LATIN_SCRIPT for p in parts):
                original.append(name)
    return list(dict.fromkeys(strong)), list(dict.fromkeys(weak)), list(dict.fromkeys(original))


def _features(party: etree._Element, refs: _References) -> list[tuple[str, str | None, list[str]]]:
    """(feature type in lower case, detail text, location IDs) for every feature version."""
    found = []
    for feature in descendants(party, "Feature"):
        kind = refs.values["FeatureType"].get(feature.get("FeatureTypeID", ""), "").lower()
        for version in descendants(feature, "FeatureVersion"):
            details = [text(d) for d in descendants(version, "VersionDetail") if text(d)]
            locations = [
                loc.get("LocationID", "") for loc in descendants(version, "VersionLocation")
            ]
            found.append((kind, details[0] if details else None, locations))
    return found


def _programs(
    sanctions: list[etree._Element], values: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Program codes: the comments of the measures whose type is a program."""
    types = values.get("SanctionsType", {})
    programs = [
        comment
        for entry in sanctions
        for measure in descendants(entry, "SanctionsMeasure")
        if (not types or "program" in types.get(measure.get("SanctionsTypeID", ""), "").lower())
        and (comment := text(measure, "Comment"))
    ]
    return list(dict.fromkeys(programs))


def _date(node: etree._Element | None) -> date | None:
    """<Year/><Month/><Day/> -> date."""
    if node is None:
        return None
    parts = [text(node, tag) for tag in ("Year", "Month", "Day")]
    if not all(p and p.isdigit() for p in parts):
        return None
    year, month, day = (int(p or 0) for p in parts)
    return date(year, month, day)
