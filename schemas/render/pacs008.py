"""Payment -> ISO 20022 pacs.008.001.08 (FIToFICstmrCdtTrf), valid against the official XSD.

Used by the synthetic generator and by round-trip tests. Built with lxml so escaping is never
hand-made; text is cut to the XSD's length limits and XML-illegal control characters are
dropped, so any valid Payment renders to a schema-valid message (what cannot fit is documented
in docs/parsers.md). Pure: no I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from schemas.payment import Agent, Party, Payment

NS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
_UUID4 = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHARGE_BEARERS = {"DEBT", "CRED", "SHAR", "SLEV"}
_MAX_INTERMEDIARIES = 3

Element = Any  # lxml ships no stubs


def _sub(parent: Element, tag: str, text: str | None = None, **attrib: str) -> Element:
    child = etree.SubElement(parent, f"{{{NS}}}{tag}", attrib)
    if text is not None:
        child.text = text
    return child


def fit(text: str, limit: int) -> str:
    """Drop XML-illegal characters and cut to the element's MaxNText limit."""
    return _CONTROL.sub("", text).strip()[:limit].strip() or "-"


def _amount(value: Decimal) -> str:
    """ActiveCurrencyAndAmount allows 5 decimals and 18 digits: more is a caller error."""
    text = format(value, "f")
    if len(text.replace(".", "").lstrip("0")) > 18 or len(text.partition(".")[2]) > 5:
        raise ValueError(f"amount {text} does not fit ISO 20022 (18 digits, 5 decimals)")
    return text


def _address(parent: Element, lines: list[str], country: str | None) -> None:
    if not lines and not country:
        return
    address = _sub(parent, "PstlAdr")
    if country and _COUNTRY.match(country):
        _sub(address, "Ctry", country)
    for line in lines[:7]:
        _sub(address, "AdrLine", fit(line, 70))


def _clearing(parent: Element, clearing_id: str) -> None:
    system, _, member = clearing_id.rpartition(":")
    node = _sub(parent, "ClrSysMmbId")
    if system:
        ident = _sub(node, "ClrSysId")
        if len(system) <= 5:
            _sub(ident, "Cd", system)
        else:
            _sub(ident, "Prtry", fit(system, 35))
    _sub(node, "MmbId", fit(member, 35))


def _agent(parent: Element, tag: str, agent: Agent) -> None:
    fin = _sub(_sub(parent, tag), "FinInstnId")
    if agent.bic and _BIC.match(agent.bic):
        _sub(fin, "BICFI", agent.bic)
    if agent.clearing_id:
        _clearing(fin, agent.clearing_id)
    if agent.name:
        _sub(fin, "Nm", fit(agent.name, 140))
    if agent.country:
        _address(fin, [], agent.country)
    if not len(fin):
        _sub(fin, "Nm", "-")


def _party(parent: Element, tag: str, party: Party) -> None:
    node = _sub(parent, tag)
    _sub(node, "Nm", fit(party.name, 140))
    _address(node, party.address, party.country)
    if party.bic and _BIC.match(party.bic):
        _sub(_sub(_sub(node, "Id"), "OrgId"), "AnyBIC", party.bic)


def _account(parent: Element, tag: str, account: str | None) -> None:
    if not account:
        return
    ident = _sub(_sub(parent, tag), "Id")
    compact = account.replace(" ", "")
    if _IBAN.match(compact):
        _sub(ident, "IBAN", compact)
    else:
        _sub(_sub(ident, "Othr"), "Id", fit(account, 34))


def _group_header(root: Element, payment: Payment) -> None:
    header = _sub(root, "GrpHdr")
    message_id = str(payment.extra.get("message_id") or payment.payment_id)
    _sub(header, "MsgId", fit(message_id, 35))
    _sub(header, "CreDtTm", payment.created_at.isoformat())
    _sub(header, "NbOfTxs", "1")
    _sub(_sub(header, "SttlmInf"), "SttlmMtd", "INDA")


def _payment_ids(tx: Element, payment: Payment) -> None:
    ids = _sub(tx, "PmtId")
    if len(payment.payment_id) > 35:
        raise ValueError(f"payment_id {payment.payment_id!r} exceeds EndToEndId's 35 characters")
    _sub(ids, "EndToEndId", fit(payment.payment_id, 35))
    if payment.uetr and _UUID4.match(payment.uetr):
        _sub(ids, "UETR", payment.uetr)


def _chain(tx: Element, payment: Payment) -> None:
    if payment.instructing_agent is not None:
        _agent(tx, "InstgAgt", payment.instructing_agent)
    if payment.instructed_agent is not None:
        _agent(tx, "InstdAgt", payment.instructed_agent)
    if len(payment.intermediary_agents) > _MAX_INTERMEDIARIES:
        raise ValueError("pacs.008 carries at most 3 intermediary agents")
    for index, agent in enumerate(payment.intermediary_agents, start=1):
        _agent(tx, f"IntrmyAgt{index}", agent)


def _transaction(root: Element, payment: Payment) -> None:
    tx = _sub(root, "CdtTrfTxInf")
    _payment_ids(tx, payment)
    _sub(tx, "IntrBkSttlmAmt", _amount(payment.amount), Ccy=payment.currency)
    _sub(tx, "IntrBkSttlmDt", payment.value_date.isoformat())
    bearer = str(payment.extra.get("charge_bearer", "SHAR"))
    _sub(tx, "ChrgBr", bearer if bearer in _CHARGE_BEARERS else "SHAR")
    _chain(tx, payment)
    if payment.ultimate_debtor is not None:
        _party(tx, "UltmtDbtr", payment.ultimate_debtor)
    _party(tx, "Dbtr", payment.debtor)
    _account(tx, "DbtrAcct", payment.debtor.account)
    _agent(tx, "DbtrAgt", payment.debtor_agent)
    _agent(tx, "CdtrAgt", payment.creditor_agent)
    _party(tx, "Cdtr", payment.creditor)
    _account(tx, "CdtrAcct", payment.creditor.account)
    if payment.ultimate_creditor is not None:
        _party(tx, "UltmtCdtr", payment.ultimate_creditor)
    _purpose_and_remittance(tx, payment)


def _purpose_and_remittance(tx: Element, payment: Payment) -> None:
    if payment.purpose_code:
        code = payment.purpose_code
        purpose = _sub(tx, "Purp")
        if len(code) <= 4:
            _sub(purpose, "Cd", code)
        else:
            _sub(purpose, "Prtry", fit(code, 35))
    if payment.remittance_info:
        remittance = _sub(tx, "RmtInf")
        text = payment.remittance_info
        for start in range(0, len(text), 140):
            _sub(remittance, "Ustrd", fit(text[start : start + 140], 140))


def render_pacs008(payment: Payment) -> bytes:
    """Render a Payment as one pacs.008.001.08 Document (UTF-8 bytes with XML declaration)."""
    document = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    root = _sub(document, "FIToFICstmrCdtTrf")
    _group_header(root, payment)
    _transaction(root, payment)
    result: bytes = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    return result
