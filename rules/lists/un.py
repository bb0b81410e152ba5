"""Loader for the UN Security Council consolidated sanctions list (UN XML format).

Parsed with lxml configured not to resolve entities, not to load DTDs and never to touch the
network: the file comes from outside and XML entity tricks (billion laughs, external entities)
must not work. Each INDIVIDUAL/ENTITY maps to one ListEntry with its UN reference number,
committee (UN_LIST_TYPE), LISTED_ON date, aliases and name in original script.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from rules.lists.base import ReferenceList
from rules.lists.countries import country_code
from schemas.listentry import ListEntry

UN_LIST = "un-consolidated"
UN_TITLE = "United Nations Security Council Consolidated List"
UN_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def safe_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and makes no network access."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def parse_un_xml(data: bytes, list_name: str = UN_LIST) -> tuple[list[ListEntry], date | None]:
    """Entries of a UN consolidated list document, and the day it was generated."""
    root = etree.fromstring(data, parser=safe_parser())
    entries = [_map(node, "individual", list_name) for node in root.iter("INDIVIDUAL")]
    entries += [_map(node, "entity", list_name) for node in root.iter("ENTITY")]
    return sorted(entries, key=lambda e: e.entry_id), _generated_on(root.get("dateGenerated"))


def build_un_list(
    data: bytes, *, list_name: str = UN_LIST, source: str = "UN XML"
) -> ReferenceList:
    """The UN list in `data` (the XML file's bytes), versioned by dateGenerated and content."""
    entries, generated = parse_un_xml(data, list_name)
    return ReferenceList.build(
        list_name, entries, title=UN_TITLE, published=generated, source=source
    )


def _map(node: etree._Element, kind: str, list_name: str) -> ListEntry:
    reference = _text(node, "REFERENCE_NUMBER") or _text(node, "DATAID") or "unknown"
    committee = _text(node, "UN_LIST_TYPE") or "UN"
    primary = " ".join(p for p in (_text(node, tag) for tag in _NAME_PARTS) if p)
    # Entities are often listed as "LONG NAME / ACRONYM": each part is a name of its own.
    primaries = [part.strip() for part in primary.split(" / ") if part.strip()]
    original = [_text(node, "NAME_ORIGINAL_SCRIPT")] if _text(node, "NAME_ORIGINAL_SCRIPT") else []
    aliases = [a for a in (_strip(x) for x in node.xpath(".//ALIAS_NAME/text()")) if a]
    countries = {
        code
        for text in node.xpath(".//NATIONALITY/VALUE/text() | .//COUNTRY/text()")
        if (code := country_code(_strip(text)))
    }
    listed_on = _text(node, "LISTED_ON")
    return ListEntry(
        entry_id=f"{list_name}-{reference}",
        list_name=list_name,
        kind=kind,
        names=list(dict.fromkeys([*(primaries or [reference]), *aliases, *original])),
        names_original_script=[str(o) for o in original],
        countries=sorted(countries),
        programs=[committee],
        listed_from=date.fromisoformat(listed_on[:10]) if listed_on else None,
        legal_source=f"UN Security Council sanctions ({committee} regime), reference {reference}",
        source_urls=[UN_URL],
        remarks=_text(node, "COMMENTS1"),
    )


def _text(node: etree._Element, tag: str) -> str | None:
    child = node.find(tag)
    return _strip(child.text) if child is not None else None


def _strip(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _generated_on(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
