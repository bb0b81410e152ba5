"""Loader for the EU consolidated financial sanctions list (FSF XML, xmlFullSanctionsList_1_1).

One `<sanctionEntity>` per listed subject, its facts in attributes: names (`nameAlias`, with
the EU's own `strong="false"` for weak aliases, which go to ListEntry.weak_names and are matched
by whole-name equality only), identifications (passport, registration and tax numbers, SWIFT
BIC, IMO), citizenships and addresses with ISO country codes, and the regulations with their
programme (IRQ, IRN, RUS, TERR, ...). The listing date is the entity's `designationDate`
attribute when the file has one; without it the entry gets listed_from=None (in force since
before records), as a later regulation date would wrongly clear payments made before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from lxml import etree

from rules.lists import identifiers
from rules.lists.base import ReferenceList
from rules.lists.errors import ListFormatError
from rules.lists.xmlread import children, descendants, parse_root, raw_xml, texts
from schemas.listentry import ListEntry

EU_LIST = "eu-fsf"
EU_TITLE = "EU consolidated list of persons, groups and entities subject to financial sanctions"
EU_URL = "https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions"
_KINDS = {"P": "individual", "E": "entity"}
_UNKNOWN_COUNTRY = "00"


def parse_eu_xml(
    data: bytes, list_name: str = EU_LIST, file: str = "EU XML"
) -> tuple[list[ListEntry], date | None]:
    """Entries of an EU FSF XML document, and the day it was generated."""
    root = parse_root(data, file, "export")
    entries = [_map(node, list_name) for node in children(root, "sanctionEntity")]
    if not entries:
        raise ListFormatError(f"{file} holds no <sanctionEntity>")
    generated = root.get("generationDate")
    return entries, datetime.fromisoformat(generated).date() if generated else None


def build_eu_list(
    data: bytes, *, list_name: str = EU_LIST, file: str = "EU XML", source: str = "EU FSF XML"
) -> ReferenceList:
    """The EU list in `data`, versioned by its generation day and content."""
    entries, generated = parse_eu_xml(data, list_name, file)
    return ReferenceList.build(
        list_name, entries, title=EU_TITLE, published=generated, source=source
    )


def _map(node: etree._Element, list_name: str) -> ListEntry:
    logical_id = node.get("logicalId") or "unknown"
    reference = node.get("euReferenceNumber") or ""
    aliases = list(descendants(node, "nameAlias"))
    strong = _whole_names(a for a in aliases if a.get("strong") != "false")
    weak = _whole_names(a for a in aliases if a.get("strong") == "false")
    subject = next(descendants(node, "subjectType"), None)
    kind = _KINDS.get(subject.get("classificationCode", "") if subject is not None else "")
    regulations = list(children(node, "regulation"))
    programmes = list(dict.fromkeys(p for r in regulations if (p := r.get("programme"))))
    docs = [
        (
            f"{i.get('identificationTypeCode', '')} {i.get('identificationTypeDescription', '')}",
            i.get("number") or "",
        )
        for i in descendants(node, "identification")
        if i.get("number")
    ]
    bic_list = identifiers.bics(n for kind_, n in docs if "bic" in kind_.lower())
    imos = identifiers.imo_numbers(n for kind_, n in docs if "imo" in kind_.lower())
    registration = [
        n for kind_, n in docs if "bic" not in kind_.lower() and "imo" not in kind_.lower()
    ]
    countries = {
        code.upper()
        for tag in ("citizenship", "address", "identification")
        for item in descendants(node, tag)
        if (code := item.get("countryIso2Code")) and code != _UNKNOWN_COUNTRY and len(code) == 2
    }
    listed_from, cited = _listing_date(node)
    titles = [r.get("numberTitle") for r in regulations if r.get("numberTitle")]
    return ListEntry(
        entry_id=f"{list_name}-{logical_id}",
        list_name=list_name,
        kind=kind or "entity",
        names=strong or weak or [reference or logical_id],
        names_original_script=identifiers.non_latin(strong),
        weak_names=[w for w in weak if w not in strong],
        bics=bic_list,
        iban_bank_codes=identifiers.iban_bank_codes(bic_list),
        imo_numbers=imos,
        registration_numbers=list(dict.fromkeys(registration)),
        countries=sorted(countries),
        programs=programmes,
        listed_from=listed_from,
        legal_source=(
            f"EU financial sanctions, programme {'/'.join(programmes) or 'unspecified'}"
            f" ({reference or 'no EU reference'}"
            + (f", UN {node.get('unitedNationId')}" if node.get("unitedNationId") else "")
            + (f"; {', '.join(titles)}" if titles else "")
            + ")"
        ),
        source_urls=list(dict.fromkeys(u for r in regulations for u in texts(r, "publicationUrl")))
        or [EU_URL],
        remarks="; ".join([*texts_direct(node, "remark"), *([cited] if cited else [])]) or None,
        raw={"format": "eu-fsf-xml", "xml": raw_xml(node)},
    )


def texts_direct(node: etree._Element, name: str) -> list[str]:
    """Texts of the direct `name` children (an entity's own remarks, not its names' remarks)."""
    return [" ".join(c.text.split()) for c in children(node, name) if c.text and c.text.strip()]


def _whole_names(aliases: Iterable[etree._Element]) -> list[str]:
    names = (" ".join((a.get("wholeName") or "").split()) for a in aliases)
    return list(dict.fromkeys(n for n in names if n))


def _listing_date(node: etree._Element) -> tuple[date | None, str | None]:
    """The `designationDate` attribute; without it, no date (in force since before records)
    and a remark naming the earliest regulation the entity's records cite, which is when the
    EU published them, not necessarily when it first listed the subject."""
    designated = node.get("designationDate")
    if designated:
        return date.fromisoformat(designated[:10]), None
    cited = sorted(
        d
        for tag in ("regulationSummary", "regulation")
        for item in descendants(node, tag)
        if (d := item.get("publicationDate"))
    )
    return None, f"earliest regulation cited {cited[0][:10]}" if cited else None
