"""ISO 20022 pacs.008 (customer transfer) and pacs.009 (FI transfer, incl. COV) -> Payment.

Safety first: the bytes are size-checked by the caller, must be UTF-8, may not carry a DOCTYPE
(no DTD means no entity expansion: no billion laughs, no XXE), and lxml runs with entity
resolution, DTD loading and network access off and huge_tree off (libxml2's depth/size limits).
Then the Document is validated against the official XSD of its exact version when that file is
available, so every later lookup can trust the structure; without the XSD the message is still
parsed (the Payment model checks the fields it needs) and flagged `schema_validated: false`.

Mapping choices (see docs/parsers.md for the full tables):
- every bank in the message lands in the Payment: DbtrAgt/CdtrAgt in their slots, InstgAgt and
  InstdAgt (falling back to the group header, then to the AppHdr Fr/To), and every other agent
  (reimbursement agents, previous instructing agents, intermediaries) in intermediary_agents with
  its XML role in the agent's extra `role`;
- pacs.009 without an underlying transfer: the debtor and creditor institutions become parties
  (named by their BIC when they carry no name); a missing DbtrAgt/CdtrAgt is the institution itself;
- pacs.009 COV: the underlying customer transfer is the real payment, so its Dbtr/Cdtr are
  debtor/creditor and its agents are debtor_agent/creditor_agent, exactly as the matching pacs.008
  would map; the interbank institutions and agents go to intermediary_agents with their roles.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from schemas.parsers.errors import ParseError, build_payment
from schemas.payment import MessageType, Payment

DEFAULT_XSD_DIR = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "iso20022" / "xsd"
)
"""Where the official XSDs live on developer machines and in CI (../shared beside the repo)."""

_PACS_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(pacs\.00[89])\.(\d{3}\.\d{2})$")
_HEAD_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:head.001."
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FRACTION = re.compile(r"(\.\d{6})\d+")
_ROOT_ELEMENT = {"pacs.008": "FIToFICstmrCdtTrf", "pacs.009": "FICdtTrf"}
_MESSAGE_TYPE = {"pacs.008": MessageType.PACS008, "pacs.009": MessageType.PACS009}
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
_REIMBURSEMENT = ("InstgRmbrsmntAgt", "InstdRmbrsmntAgt", "ThrdRmbrsmntAgt")
_CHAIN = (
    "PrvsInstgAgt1",
    "PrvsInstgAgt2",
    "PrvsInstgAgt3",
    "IntrmyAgt1",
    "IntrmyAgt2",
    "IntrmyAgt3",
)

Element = Any
"""lxml ships no type stubs: elements are typed loosely, values are typed at the edges."""


class _SafeParser(threading.local):
    """One hardened lxml parser per thread (lxml parser objects must not be shared)."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            dtd_validation=False,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            encoding="utf-8",
        )


_LOCAL = _SafeParser()


# --------------------------------------------------------------------------- safe parsing


def parse_xml_safely(raw: bytes) -> Element:
    """Parse untrusted XML bytes into an element tree, refusing DTDs and non-UTF-8 input."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("not-utf8", f"byte {exc.start}: {exc.reason}") from None
    if _DOCTYPE.search(raw):
        raise ParseError("xml-forbidden-dtd", "DOCTYPE/ENTITY declarations are not accepted")
    try:
        root = etree.fromstring(raw, _LOCAL.parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError("xml-invalid", f"line {exc.lineno}: {exc.msg}") from None
    except (ValueError, etree.LxmlError) as exc:
        raise ParseError("xml-invalid", str(exc)[:200]) from None
    if root is None:
        raise ParseError("xml-invalid", "no root element")
    if root.getroottree().docinfo.doctype:
        raise ParseError("xml-forbidden-dtd", "DOCTYPE declarations are not accepted")
    return root


# --------------------------------------------------------------------------- schemas


@lru_cache(maxsize=16)
def _xsd_index(xsd_dir: Path) -> dict[str, Path]:
    """Map 'pacs.008.001.08' -> file for every '<message id>.xsd' under xsd_dir (recursive)."""
    found: dict[str, Path] = {}
    if xsd_dir.is_dir():
        for path in sorted(xsd_dir.rglob("*.xsd")):
            found.setdefault(path.stem, path)
    return found


@lru_cache(maxsize=64)
def load_schema(xsd_dir: Path, message_id: str) -> Any:
    """Compile (once, cached) the XSD for a message id like 'pacs.008.001.08', or None."""
    path = _xsd_index(xsd_dir).get(message_id)
    if path is None:
        return None
    return etree.XMLSchema(etree.parse(str(path), _LOCAL.parser))


def _element_path(root: Element, lxml_path: str | None) -> str:
    """Turn lxml's '/*/*[2]/*[1]' into '/Document/FIToFICstmrCdtTrf/GrpHdr' for humans."""
    if not lxml_path:
        return "?"
    try:
        found = root.getroottree().xpath(lxml_path)
    except etree.XPathError:
        return lxml_path
    if not found or not isinstance(found[0], etree._Element):
        return lxml_path
    names = [etree.QName(el).localname for el in [found[0], *found[0].iterancestors()]]
    return "/" + "/".join(reversed(names))


def _validate(element: Element, message_id: str, xsd_dir: Path) -> bool:
    """Validate element against its XSD; False if no XSD is available, ParseError if invalid."""
    schema = load_schema(xsd_dir, message_id)
    if schema is None:
        return False
    if schema.validate(element):
        return True
    entry = schema.error_log[0]
    where = _element_path(element, entry.path)
    raise ParseError("xml-schema", f"{message_id} line {entry.line} {where}: {entry.message}")


# --------------------------------------------------------------------------- lookups


@lru_cache(maxsize=8192)
def _q(ns: str, path: str) -> str:
    return "/".join(f"{{{ns}}}{step}" for step in path.split("/"))


@lru_cache(maxsize=8192)
def _steps(ns: str, path: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{step}" for step in path.split("/"))


def _find(el: Element, ns: str, path: str) -> Element:
    """First element at a child path; iterchildren per step is ~2x faster than ElementPath."""
    for step in _steps(ns, path):
        if el is None:
            return None
        el = next(el.iterchildren(step), None)
    return el


def _text(el: Element, ns: str, path: str) -> str | None:
    found = _find(el, ns, path)
    if found is None or found.text is None:
        return None
    value = str(found.text).strip()
    return value or None


def _texts(el: Element, ns: str, path: str) -> list[str]:
    if el is None:
        return []
    return [str(t.text).strip() for t in el.findall(_q(ns, path)) if t.text and str(t.text).strip()]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values so the model's defaults and derivations (country) apply."""
    return {k: v for k, v in data.items() if v not in (None, [], "")}


# --------------------------------------------------------------------------- building blocks


def _address(el: Element, ns: str) -> tuple[list[str], str | None]:
    """Flatten a PostalAddress into lines (structured parts first, then AdrLine) and country.

    One pass over the children: addresses are the most frequent structure in a message.
    """
    if el is None:
        return [], None
    parts: dict[str, str] = {}
    free: list[str] = []
    for child in el.iterchildren(tag=etree.Element):
        text = (child.text or "").strip()
        if not text:
            continue
        name = child.tag.rpartition("}")[2]
        if name == "AdrLine":
            free.append(text)
        else:
            parts[name] = text
    lines = [" ".join(parts[t] for t in group if t in parts) for group in _ADDRESS_GROUPS]
    return [line for line in lines if line] + free, parts.get("Ctry")


def _account(el: Element, ns: str) -> str | None:
    return _text(el, ns, "Id/IBAN") or _text(el, ns, "Id/Othr/Id") or _text(el, ns, "Prxy/Id")


def _clearing_id(fin: Element, ns: str) -> str | None:
    member = _text(fin, ns, "ClrSysMmbId/MmbId")
    system = _text(fin, ns, "ClrSysMmbId/ClrSysId/Cd") or _text(
        fin, ns, "ClrSysMmbId/ClrSysId/Prtry"
    )
    if member and system:
        return f"{system}:{member}"
    return member


def _agent(el: Element, ns: str, role: str | None = None) -> dict[str, Any] | None:
    """A BranchAndFinancialInstitutionIdentification as an Agent dict (None if absent).

    An agent known only by a clearing code, LEI or proprietary id is named by that id, so the
    bank stays visible in the chain (the model needs a BIC or a name).
    """
    if el is None:
        return None
    fin = _find(el, ns, "FinInstnId")
    lines, country = _address(_find(fin, ns, "PstlAdr"), ns)
    bic = _text(fin, ns, "BICFI")
    clearing = _clearing_id(fin, ns)
    lei = _text(fin, ns, "LEI")
    other = _text(fin, ns, "Othr/Id")
    name = _text(fin, ns, "Nm") or (None if bic else clearing or lei or other)
    return _clean(
        {
            "bic": bic,
            "name": name,
            "country": country,
            "clearing_id": clearing,
            "lei": lei,
            "other_id": other,
            "address": lines,
            "branch_id": _text(el, ns, "BrnchId/Id"),
            "role": role,
        }
    )


def _party(el: Element, ns: str, account_el: Element = None) -> dict[str, Any] | None:
    """A PartyIdentification (+ its account) as a Party dict; named by an id when unnamed."""
    if el is None:
        return None
    lines, country = _address(_find(el, ns, "PstlAdr"), ns)
    bic = _text(el, ns, "Id/OrgId/AnyBIC")
    account = _account(account_el, ns)
    ids = [
        i
        for i in (
            _text(el, ns, "Id/OrgId/LEI"),
            *_texts(el, ns, "Id/OrgId/Othr/Id"),
            *_texts(el, ns, "Id/PrvtId/Othr/Id"),
        )
        if i
    ]
    name = _text(el, ns, "Nm")
    data: dict[str, Any] = {
        "name": name or bic or account or (ids[0] if ids else None),
        "account": account,
        "country": country or _text(el, ns, "CtryOfRes") or _bic_country(bic),
        "address": lines,
        "bic": bic,
        "identifiers": ids,
        "name_missing": True if name is None else None,
    }
    return _clean(data)


def _institution_party(el: Element, ns: str, account_el: Element = None) -> dict[str, Any] | None:
    """An institution acting as debtor/creditor (pacs.009) as a Party named by name or BIC."""
    agent = _agent(el, ns)
    if agent is None:
        return None
    bic = agent.get("bic")
    data = {
        "name": agent.get("name") or bic,
        "bic": bic,
        "account": _account(account_el, ns),
        "country": agent.get("country") or _bic_country(bic),
        "address": agent.get("address", []),
        "clearing_id": agent.get("clearing_id"),
        "lei": agent.get("lei"),
    }
    return _clean(data)


def _bic_country(bic: str | None) -> str | None:
    if bic and len(bic) >= 6 and bic[4:6].isalpha():
        return bic[4:6].upper()
    return None


def _remittance(el: Element, ns: str) -> str | None:
    """Unstructured lines plus the text of structured remittance (references, notes)."""
    if el is None:
        return None
    parts = _texts(el, ns, "Ustrd")
    for strd in el.findall(_q(ns, "Strd")):
        parts += [str(t).strip() for t in strd.itertext() if str(t).strip()]
    return " ".join(parts) or None


def _datetime(value: str | None, where: str) -> tuple[datetime | None, bool]:
    """ISO date-time -> aware datetime; a local time without offset is read as UTC (flagged)."""
    if value is None:
        return None, False
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        raise ParseError("payment-invalid", f"{where}: not an ISO date-time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), True
    try:  # the model stores UTC: '9999-12-31T23:00:00-05:00' has no UTC datetime
        parsed.astimezone(UTC)
    except OverflowError:
        raise ParseError(
            "payment-invalid", f"{where}: {value!r} is outside the years 1-9999 in UTC"
        ) from None
    return parsed, False


def _date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ParseError("payment-invalid", f"{where}: not an ISO date: {value!r}") from None


# --------------------------------------------------------------------------- transactions


class _Context:
    """What every transaction of one message shares: namespace, header values, validation."""

    def __init__(self, ns: str, kind: str, version: str, msg: Element, app_hdr: dict[str, Any]):
        self.ns = ns
        self.kind = kind
        self.version = version
        self.grp = _find(msg, ns, "GrpHdr")
        self.app_hdr = app_hdr
        self.schema_validated = False
        self.created_at, self.created_assumed_utc = _datetime(
            _text(self.grp, ns, "CreDtTm"), "GrpHdr/CreDtTm"
        )


def _ids(tx: Element, ctx: _Context) -> dict[str, Any]:
    """payment_id = EndToEndId, unless absent or NOTPROVIDED: then UETR, TxId, InstrId, MsgId."""
    ns = ctx.ns
    e2e = _text(tx, ns, "PmtId/EndToEndId")
    uetr = _text(tx, ns, "PmtId/UETR")
    tx_id = _text(tx, ns, "PmtId/TxId")
    instr_id = _text(tx, ns, "PmtId/InstrId")
    msg_id = _text(ctx.grp, ns, "MsgId")
    usable_e2e = e2e if e2e and e2e.upper() != "NOTPROVIDED" else None
    return {
        "payment_id": usable_e2e or uetr or tx_id or instr_id or msg_id,
        "uetr": uetr,
        "end_to_end_id": e2e,
        "transaction_id": tx_id,
        "instruction_id": instr_id,
        "message_id": msg_id,
    }


def _amounts_and_dates(tx: Element, ctx: _Context) -> dict[str, Any]:
    ns = ctx.ns
    amount_el = _find(tx, ns, "IntrBkSttlmAmt")
    value_date = _date(_text(tx, ns, "IntrBkSttlmDt"), "IntrBkSttlmDt") or _date(
        _text(ctx.grp, ns, "IntrBkSttlmDt"), "GrpHdr/IntrBkSttlmDt"
    )
    data: dict[str, Any] = {
        "amount": None if amount_el is None else (amount_el.text or "").strip(),
        "currency": None if amount_el is None else amount_el.get("Ccy"),
        "created_at": ctx.created_at,
        "value_date": value_date,
    }
    if value_date is None and ctx.created_at is not None:
        data["value_date"] = ctx.created_at.date()
        data["value_date_from"] = "GrpHdr/CreDtTm"
    instructed = _find(tx, ns, "InstdAmt")
    if instructed is not None:
        data["instructed_amount"] = (instructed.text or "").strip()
        data["instructed_currency"] = instructed.get("Ccy")
    return data


def _instructing(tx: Element, ctx: _Context) -> dict[str, Any]:
    """Tx-level InstgAgt/InstdAgt, else the group header's, else the AppHdr's Fr/To."""
    ns = ctx.ns
    out: dict[str, Any] = {}
    for slot, tag, hdr in (
        ("instructing_agent", "InstgAgt", "from"),
        ("instructed_agent", "InstdAgt", "to"),
    ):
        agent = _agent(_find(tx, ns, tag), ns) or _agent(_find(ctx.grp, ns, tag), ns)
        out[slot] = agent or ctx.app_hdr.get(hdr)
    return out


def _chain(el: Element, ns: str, prefix: str = "") -> list[dict[str, Any]]:
    """Previous instructing agents and intermediaries, in chain order, with their roles."""
    found = (_agent(_find(el, ns, tag), ns, prefix + tag) for tag in _CHAIN)
    return [agent for agent in found if agent is not None]


def _charges_agents(tx: Element, ns: str, prefix: str = "") -> list[dict[str, Any]]:
    """Banks that took charges on the way (ChrgsInf/Agt) also touched the payment."""
    found = (
        _agent(_find(c, ns, "Agt"), ns, f"{prefix}ChrgsInf/Agt")
        for c in tx.findall(_q(ns, "ChrgsInf"))
    )
    return [agent for agent in found if agent is not None]


def _reimbursement(ctx: _Context) -> list[dict[str, Any]]:
    found = (
        _agent(_find(ctx.grp, ctx.ns, f"SttlmInf/{tag}"), ctx.ns, f"GrpHdr/SttlmInf/{tag}")
        for tag in _REIMBURSEMENT
    )
    return [agent for agent in found if agent is not None]


def _common(tx: Element, ctx: _Context) -> dict[str, Any]:
    ns = ctx.ns
    data = {**_ids(tx, ctx), **_amounts_and_dates(tx, ctx), **_instructing(tx, ctx)}
    data.update(
        message_type=_MESSAGE_TYPE[ctx.kind],
        schema_version=f"{ctx.kind}.{ctx.version}",
        schema_validated=ctx.schema_validated,
        purpose_code=_text(tx, ns, "Purp/Cd") or _text(tx, ns, "Purp/Prtry"),
        remittance_info=_remittance(_find(tx, ns, "RmtInf"), ns),
        charge_bearer=_text(tx, ns, "ChrgBr"),
        local_instrument=_text(tx, ns, "PmtTpInf/LclInstrm/Prtry")
        or _text(tx, ns, "PmtTpInf/LclInstrm/Cd"),
        created_at_assumed_utc=True if ctx.created_assumed_utc else None,
        business_message_id=ctx.app_hdr.get("business_message_id"),
    )
    return data


def _pacs008_tx(tx: Element, ctx: _Context) -> dict[str, Any]:
    ns = ctx.ns
    data = _common(tx, ctx)
    data.update(
        debtor=_party(_find(tx, ns, "Dbtr"), ns, _find(tx, ns, "DbtrAcct")),
        creditor=_party(_find(tx, ns, "Cdtr"), ns, _find(tx, ns, "CdtrAcct")),
        debtor_agent=_agent(_find(tx, ns, "DbtrAgt"), ns),
        creditor_agent=_agent(_find(tx, ns, "CdtrAgt"), ns),
        ultimate_debtor=_party(_find(tx, ns, "UltmtDbtr"), ns),
        ultimate_creditor=_party(_find(tx, ns, "UltmtCdtr"), ns),
        initiating_party=_party(_find(tx, ns, "InitgPty"), ns),
        intermediary_agents=_reimbursement(ctx) + _chain(tx, ns) + _charges_agents(tx, ns),
    )
    return data


def _pacs009_core(tx: Element, ctx: _Context) -> dict[str, Any]:
    """A bank-to-bank transfer: the institutions themselves are debtor and creditor."""
    ns = ctx.ns
    return {
        "debtor": _institution_party(_find(tx, ns, "Dbtr"), ns, _find(tx, ns, "DbtrAcct")),
        "creditor": _institution_party(_find(tx, ns, "Cdtr"), ns, _find(tx, ns, "CdtrAcct")),
        "debtor_agent": _agent(_find(tx, ns, "DbtrAgt"), ns) or _agent(_find(tx, ns, "Dbtr"), ns),
        "creditor_agent": _agent(_find(tx, ns, "CdtrAgt"), ns) or _agent(_find(tx, ns, "Cdtr"), ns),
        "ultimate_debtor": _institution_party(_find(tx, ns, "UltmtDbtr"), ns),
        "ultimate_creditor": _institution_party(_find(tx, ns, "UltmtCdtr"), ns),
        "intermediary_agents": _reimbursement(ctx) + _chain(tx, ns),
    }


def _pacs009_cover(tx: Element, und: Element, ctx: _Context) -> dict[str, Any]:
    """A cover (COV): the underlying customers are the payment; the interbank layer is chain."""
    ns = ctx.ns
    interbank = [
        _agent(_find(tx, ns, tag), ns, tag) for tag in ("Dbtr", "UltmtDbtr", "DbtrAgt")
    ] + _chain(tx, ns)
    interbank += [_agent(_find(tx, ns, tag), ns, tag) for tag in ("CdtrAgt", "Cdtr", "UltmtCdtr")]
    prefix = "UndrlygCstmrCdtTrf/"
    underlying = [
        _agent(_find(und, ns, tag), ns, prefix + tag) for tag in ("InstgAgt", "InstdAgt")
    ] + _chain(und, ns, prefix)
    data: dict[str, Any] = {
        "debtor": _party(_find(und, ns, "Dbtr"), ns, _find(und, ns, "DbtrAcct")),
        "creditor": _party(_find(und, ns, "Cdtr"), ns, _find(und, ns, "CdtrAcct")),
        "debtor_agent": _agent(_find(und, ns, "DbtrAgt"), ns),
        "creditor_agent": _agent(_find(und, ns, "CdtrAgt"), ns),
        "ultimate_debtor": _party(_find(und, ns, "UltmtDbtr"), ns),
        "ultimate_creditor": _party(_find(und, ns, "UltmtCdtr"), ns),
        "initiating_party": _party(_find(und, ns, "InitgPty"), ns),
        "intermediary_agents": _reimbursement(ctx)
        + [a for a in interbank + underlying if a is not None],
        "cover": True,
    }
    instructed = _find(und, ns, "InstdAmt")
    if instructed is not None:
        data["underlying_instructed_amount"] = (instructed.text or "").strip()
        data["underlying_instructed_currency"] = instructed.get("Ccy")
    remittance = _remittance(_find(und, ns, "RmtInf"), ns)
    if remittance:
        data["remittance_info"] = remittance
    return data


def _pacs009_tx(tx: Element, ctx: _Context) -> dict[str, Any]:
    data = _common(tx, ctx)
    und = _find(tx, ctx.ns, "UndrlygCstmrCdtTrf")
    data.update(_pacs009_core(tx, ctx) if und is None else _pacs009_cover(tx, und, ctx))
    return data


# --------------------------------------------------------------------------- envelope


def _is_pacs_document(el: Element) -> bool:
    return str(el.tag).endswith("}Document") and bool(_PACS_NS.match(etree.QName(el).namespace))


def _is_app_header(el: Element) -> bool:
    return str(el.tag).startswith("{" + _HEAD_NS_PREFIX) and str(el.tag).endswith("}AppHdr")


def _locate(root: Element) -> tuple[Element, Element | None]:
    """Find the pacs Document (the root, or inside an AppHdr+Document envelope) and AppHdr.

    Envelopes put both directly under one wrapper element (sometimes one level deeper), so
    only the top two levels are searched: a payload is never scanned as a whole.
    """
    if _is_pacs_document(root):
        return root, None
    near = [
        el
        for child in root.iterchildren(tag=etree.Element)
        for el in (child, *child.iterchildren(tag=etree.Element))
    ]
    documents = [el for el in near if _is_pacs_document(el)]
    if not documents:
        ns = etree.QName(root).namespace or "(none)"
        raise ParseError("xml-unsupported", f"no pacs.008/pacs.009 Document (root namespace {ns})")
    if len(documents) > 1:
        raise ParseError("xml-unsupported", f"{len(documents)} Documents in one message")
    return documents[0], next((el for el in near if _is_app_header(el)), None)


def _app_header(app_hdr: Element, xsd_dir: Path) -> dict[str, Any]:
    """The business application header: validated when its XSD is present; Fr/To as agents."""
    if app_hdr is None:
        return {}
    ns = etree.QName(app_hdr).namespace
    validated = _validate(app_hdr, ns.rsplit(":", 1)[-1], xsd_dir)
    return {
        "from": _agent(_find(app_hdr, ns, "Fr/FIId"), ns, "AppHdr/Fr"),
        "to": _agent(_find(app_hdr, ns, "To/FIId"), ns, "AppHdr/To"),
        "business_message_id": _text(app_hdr, ns, "BizMsgIdr"),
        "validated": validated,
    }


def _transactions(root: Element, xsd_dir: Path) -> Iterator[dict[str, Any]]:
    document, app_hdr = _locate(root)
    ns = etree.QName(document).namespace
    match = _PACS_NS.match(ns)
    assert match is not None  # _locate only returns pacs Documents
    kind, version = match.group(1), match.group(2)
    validated = _validate(document, f"{kind}.{version}", xsd_dir)
    msg = _find(document, ns, _ROOT_ELEMENT[kind])
    if msg is None:
        raise ParseError("xml-schema", f"/Document: missing {_ROOT_ELEMENT[kind]}")
    ctx = _Context(ns, kind, version, msg, _app_header(app_hdr, xsd_dir))
    ctx.schema_validated = validated
    build = _pacs008_tx if kind == "pacs.008" else _pacs009_tx
    txs = msg.findall(_q(ns, "CdtTrfTxInf"))
    if not txs:
        raise ParseError("xml-schema", f"/Document/{_ROOT_ELEMENT[kind]}: no CdtTrfTxInf")
    for index, tx in enumerate(txs):
        data = build(tx, ctx)
        if len(txs) > 1:
            data["transaction_index"] = index
        yield _clean(data)


def parse_iso20022_all(raw: bytes, *, xsd_dir: Path | None = None) -> list[Payment]:
    """Every credit transfer in a pacs.008/pacs.009 message, one Payment each."""
    root = parse_xml_safely(raw)
    directory = xsd_dir or DEFAULT_XSD_DIR
    return [build_payment(data) for data in _transactions(root, directory)]


def parse_iso20022(raw: bytes, *, xsd_dir: Path | None = None) -> Payment:
    """The single credit transfer of a pacs.008/pacs.009 message.

    A message with several transactions is refused ("multi-transaction") rather than screened
    partly: use parse_iso20022_all (or parse_messages) for batches.
    """
    payments = parse_iso20022_all(raw, xsd_dir=xsd_dir)
    if len(payments) != 1:
        raise ParseError(
            "multi-transaction", f"{len(payments)} CdtTrfTxInf in one message; use parse_messages"
        )
    return payments[0]
