"""Party and bank fields: customers (50A/F/K, 59/59A/59F), banks (52a-58a), /INS/ in field 72.

An option letter says how a field names its subject: A by BIC, D by name and address, F by
numbered lines (1/ name, 2/ address, 3/ country and town), K or none by free lines; B and C
carry only an account or a location, which names no bank to screen.
"""

from __future__ import annotations

import re
from typing import NamedTuple, TypedDict

from schemas.parsers.canonical import (
    AgentFields,
    PartyFields,
    bic_country,
    compact,
    institution_as_party,
)
from schemas.parsers.errors import ParseError
from schemas.parsers.mt.fields import LINE, FieldList, MtField

_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_IDENTIFIER = re.compile(r"^/(?:[CD]/)?(.*)$")
_NUMBERED = re.compile(r"^([1-8])/(.*)$")
_NUMBERED_NAME = 33
"""Characters after '1/' on a full name line of 50F/59F (35 less the '1/')."""


class UnidentifiedFields(TypedDict):
    """A bank field that names no bank (options B/C): kept in the payment's extras."""

    role: str
    value: str


class Chain(NamedTuple):
    """The banks of 53a-56a (screened) and the fields among them that name no bank."""

    banks: list[AgentFields]
    unidentified: list[UnidentifiedFields]


class _Numbered(NamedTuple):
    name: str
    address: list[str]
    country: str | None
    details: list[str]


def _identifier(lines: list[str]) -> tuple[str | None, list[str]]:
    """Split an optional '/account' or '//clearing' first line from the remaining lines."""
    if lines and lines[0].startswith("/"):
        match = _IDENTIFIER.match(lines[0])
        ident = match.group(1).strip() if match else lines[0]
        return ident or None, lines[1:]
    return None, lines


def _check_bic(value: str, fld: MtField) -> str:
    bic = value.strip().upper()
    if not _BIC.match(bic):
        raise ParseError("mt-field", f"{fld.where()}: invalid BIC {value.strip()!r}")
    return bic


def _run_on_name(lines: list[str]) -> tuple[str, list[str]]:
    """Option D: a name that fills its 35-character line continues on the next line (banks
    split long names that way); the lines after the name are the address."""
    name = lines[0].rstrip()
    used = 1
    while len(lines[used - 1]) >= LINE and used < len(lines):
        name += lines[used].rstrip()
        used += 1
    return name.strip(), lines[used:]


def agent(fld: MtField | None, role: str | None = None) -> AgentFields | None:
    """Options A (BIC) and D (name and address) identify a bank; B/C (account, location) don't."""
    if fld is None:
        return None
    ident, lines = _identifier(fld.value.split("\n"))
    option = fld.tag[2:] or "-"
    found: AgentFields = {"role": role}
    if ident and ident.startswith("/"):
        found["clearing_id"] = ident.lstrip("/")
    elif ident:
        found["account"] = ident
    if option == "A":
        if not lines:
            raise ParseError("mt-field", f"{fld.where()}: option A needs a BIC line")
        found["bic"] = _check_bic(lines[0], fld)
    elif option == "D" and lines and lines[0].strip():
        name, rest = _run_on_name(lines)
        found["name"] = name
        found["address"] = [line.strip() for line in rest if line.strip()]
    else:
        return None
    return compact(found, keep_empty_text=True)


def _numbered_party(lines: list[str]) -> _Numbered:
    """50F/59F: '1/' name, '2/' address, '3/CC/town' country and town; the rest as details."""
    names: list[str] = []
    address: list[str] = []
    details: list[str] = []
    country: str | None = None
    run_on = False  # the previous '1/' line was full (33 chars after '1/'): no space
    for line in lines:
        match = _NUMBERED.match(line)
        if match is None:
            (names if names and not address else details).append(line.strip())
            continue
        number, text = match.group(1), match.group(2).strip()
        if number == "1":
            if run_on and names:
                names[-1] += match.group(2)
            else:
                names.append(match.group(2))
            run_on = len(match.group(2)) >= _NUMBERED_NAME
        elif number == "2":
            address.append(text)
        elif number == "3":
            country, _, town = text.partition("/")
            if town:
                address.append(town)
        else:
            details.append(f"{number}/{text}")
    name = " ".join(n.strip() for n in names if n.strip())
    return _Numbered(name, address, (country or "").upper() or None, details)


def party(fld: MtField) -> PartyFields:
    """50A/F/K, 59/59A/59F: the ordering or beneficiary customer (or an institution via A)."""
    lines = fld.value.split("\n")
    option = fld.tag[2:]
    found: PartyFields
    if option == "F":
        # The first line is an account ('/...') or a party identifier ('CUST/IQ/...').
        identifier = None if lines[0].startswith("/") else lines[0].strip()
        ident, rest = (None, lines[1:]) if identifier is not None else _identifier(lines)
        numbered = _numbered_party(rest)
        found = {
            "identifier": identifier,
            "account": ident,
            "name": numbered.name,
            "address": numbered.address,
            "country": numbered.country,
            "details": numbered.details,
        }
    else:
        ident, rest = _identifier(lines)
        if option == "A":
            if not rest:
                raise ParseError("mt-field", f"{fld.where()}: option A needs a BIC line")
            bic = _check_bic(rest[0], fld)
            found = {"account": ident, "bic": bic, "name": bic, "country": bic_country(bic)}
        else:
            named = [line.strip() for line in rest if line.strip()]
            found = {"account": ident, "name": named[0] if named else None, "address": named[1:]}
    if not found.get("name"):
        found["name"] = found.get("account") or found.get("identifier")
        found["name_missing"] = True
    found["field"] = fld.tag
    return compact(found)


def institution(fld: MtField | None, fallback: AgentFields) -> tuple[PartyFields, AgentFields]:
    """An ordering/beneficiary institution as (party, agent); the header BIC when absent."""
    bank = agent(fld) or fallback.copy()
    bank.pop("role", None)
    found = institution_as_party(bank, bank.get("account"))
    found["field"] = fld.tag if fld else fallback.get("role")
    return compact(found, keep_empty_text=True), bank


def field72_agents(fld: MtField | None, role: str) -> list[AgentFields]:
    """'/INS/' in field 72 names an instructing institution (BIC or name): a bank to screen."""
    if fld is None:
        return []
    found: list[AgentFields] = []
    code, text = None, ""
    for line in [*fld.value.split("\n"), "/END/"]:
        if line.startswith("//") and code:
            text += " " + line[2:].strip()
            continue
        if code == "INS" and text.strip():
            value = text.strip()
            bank: AgentFields = {"bic": value} if _BIC.match(value) else {"name": value}
            bank["role"] = role
            found.append(bank)
        parts = line.split("/", 2)
        code, text = (
            (parts[1], parts[2]) if line.startswith("/") and len(parts) == 3 else (None, "")
        )
    return found


def chain(fields: FieldList, families: tuple[str, ...], prefix: str = "") -> Chain:
    """The first field of each family, in order, with its tag (after `prefix`) as its role."""
    banks: list[AgentFields] = []
    unidentified: list[UnidentifiedFields] = []
    for family in families:
        fld = fields.first(family)
        if fld is None:
            continue
        bank = agent(fld, prefix + fld.tag)
        if bank is not None:
            banks.append(bank)
        else:
            unidentified.append({"role": prefix + fld.tag, "value": fld.value})
    return Chain(banks, unidentified)
