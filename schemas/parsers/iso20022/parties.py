"""Parties and banks: PartyIdentification and BranchAndFinancialInstitutionIdentification.

Whoever has no name is named by what identifies it (a BIC, an account, a clearing code, an
LEI), so every bank and party stays visible to screening (the model needs a name or a BIC).
"""

from __future__ import annotations

from lxml import etree

from schemas.parsers.canonical import (
    AgentFields,
    PartyFields,
    bic_country,
    compact,
    institution_as_party,
)
from schemas.parsers.iso20022.lookup import find, text, texts
from schemas.parsers.iso20022.safe_xml import Element

_ADDRESS_GROUPS = (
    ("CareOf",),
    ("Dept",),
    ("SubDept",),
    ("StrtNm", "BldgNb", "BldgNm"),
    ("Flr", "Room", "UnitNb"),
    ("PstBx",),
    ("PstCd", "TwnNm"),
    ("TwnLctnNm", "DstrctNm"),
    ("CtrySubDvsn",),
)
"""Structured address elements joined into one line each, in this order, before AdrLine."""


def _address(el: Element) -> tuple[list[str], str | None]:
    """Flatten a PostalAddress into lines (structured parts first, then AdrLine) and country.

    One pass over the children: addresses are the most frequent structure in a message.
    """
    if el is None:
        return [], None
    parts: dict[str, str] = {}
    free: list[str] = []
    for child in el.iterchildren(tag=etree.Element):
        value = (child.text or "").strip()
        if not value:
            continue
        name = child.tag.rpartition("}")[2]
        if name == "AdrLine":
            free.append(value)
        else:
            parts[name] = value
    lines = [" ".join(parts[t] for t in group if t in parts) for group in _ADDRESS_GROUPS]
    return [line for line in lines if line] + free, parts.get("Ctry")


def account(el: Element, ns: str) -> str | None:
    """A CashAccount's IBAN, other id or proxy."""
    return text(el, ns, "Id/IBAN") or text(el, ns, "Id/Othr/Id") or text(el, ns, "Prxy/Id")


def _clearing_id(fin: Element, ns: str) -> str | None:
    member = text(fin, ns, "ClrSysMmbId/MmbId")
    system = text(fin, ns, "ClrSysMmbId/ClrSysId/Cd") or text(fin, ns, "ClrSysMmbId/ClrSysId/Prtry")
    if member and system:
        return f"{system}:{member}"
    return member


def agent(el: Element, ns: str, role: str | None = None) -> AgentFields | None:
    """A BranchAndFinancialInstitutionIdentification as an agent (None if absent).

    An agent known only by a clearing code, LEI or proprietary id is named by that id, so the
    bank stays visible in the chain (the model needs a BIC or a name).
    """
    if el is None:
        return None
    fin = find(el, ns, "FinInstnId")
    lines, country = _address(find(fin, ns, "PstlAdr"))
    bic = text(fin, ns, "BICFI")
    clearing = _clearing_id(fin, ns)
    lei = text(fin, ns, "LEI")
    other = text(fin, ns, "Othr/Id")
    name = text(fin, ns, "Nm") or (None if bic else clearing or lei or other)
    found: AgentFields = {
        "bic": bic,
        "name": name,
        "country": country,
        "clearing_id": clearing,
        "lei": lei,
        "other_id": other,
        "address": lines,
        "branch_id": text(el, ns, "BrnchId/Id"),
        "role": role,
    }
    return compact(found)


def party(el: Element, ns: str, account_el: Element = None) -> PartyFields | None:
    """A PartyIdentification (+ its account) as a party; named by an id when unnamed."""
    if el is None:
        return None
    lines, country = _address(find(el, ns, "PstlAdr"))
    bic = text(el, ns, "Id/OrgId/AnyBIC")
    number = account(account_el, ns)
    ids = [
        i
        for i in (
            text(el, ns, "Id/OrgId/LEI"),
            *texts(el, ns, "Id/OrgId/Othr/Id"),
            *texts(el, ns, "Id/PrvtId/Othr/Id"),
        )
        if i
    ]
    name = text(el, ns, "Nm")
    found: PartyFields = {
        "name": name or bic or number or (ids[0] if ids else None),
        "account": number,
        "country": country or text(el, ns, "CtryOfRes") or bic_country(bic),
        "address": lines,
        "bic": bic,
        "identifiers": ids,
        "name_missing": True if name is None else None,
    }
    return compact(found)


def institution_party(el: Element, ns: str, account_el: Element = None) -> PartyFields | None:
    """An institution acting as debtor/creditor (pacs.009) as a party named by name or BIC."""
    bank = agent(el, ns)
    if bank is None:
        return None
    found = institution_as_party(bank, account(account_el, ns))
    found["clearing_id"] = bank.get("clearing_id")
    found["lei"] = bank.get("lei")
    return compact(found)
