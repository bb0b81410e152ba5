"""pacs.008 / pacs.009 parsing checked field by field against the Federal Reserve samples.

Expected values come from the sample itself through small XPath lookups written here, not from
the parser's helpers, plus a literal table for a few files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from schemas.parsers import ParseError, parse_message, parse_messages
from schemas.payment import MessageType, Payment
from tests.unit.schemas.parsers.samples import FED, PACS008, PACS009, XSD_DIR

pytestmark = pytest.mark.skipif(not PACS008, reason="shared samples not present")


def _tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _x(el: etree._Element, path: str) -> str | None:
    """First text at a namespace-agnostic path like 'CdtTrfTxInf/Dbtr/Nm' below el."""
    found = el.find(".//" + "/".join("{*}" + step for step in path.split("/")))
    return None if found is None or found.text is None else found.text.strip()


def _account(el: etree._Element, path: str) -> str | None:
    return _x(el, f"{path}/Id/IBAN") or _x(el, f"{path}/Id/Othr/Id")


def _all_bics(el: etree._Element) -> set[str]:
    return {
        e.text.strip()
        for e in el.iter()
        if isinstance(e.tag, str) and etree.QName(e).localname in ("BICFI", "AnyBIC")
    }


def _payment_bics(payment: Payment) -> set[str]:
    bics = {agent.bic for _, agent in payment.agent_chain() if agent.bic}
    return bics | {party.bic for _, party in payment.parties() if party.bic}


def _check_common(payment: Payment, tree: etree._Element) -> None:
    amount = tree.find(".//{*}CdtTrfTxInf/{*}IntrBkSttlmAmt")
    assert payment.amount == Decimal(amount.text)
    assert payment.currency == amount.get("Ccy")
    assert payment.value_date == date.fromisoformat(_x(tree, "CdtTrfTxInf/IntrBkSttlmDt"))
    assert payment.payment_id == _x(tree, "CdtTrfTxInf/PmtId/EndToEndId")
    assert payment.uetr == _x(tree, "CdtTrfTxInf/PmtId/UETR")
    assert payment.created_at == datetime.fromisoformat(_x(tree, "GrpHdr/CreDtTm"))
    assert payment.created_at.tzinfo == UTC
    assert payment.extra["schema_validated"] is True
    # Every bank named by BIC anywhere in the message is visible to screening.
    assert _all_bics(tree) <= _payment_bics(payment)
    # Every bank named only by a clearing code is visible too.
    members = {e.text for e in tree.iter("{*}MmbId")}
    clearing = {a.clearing_id.split(":")[-1] for _, a in payment.agent_chain() if a.clearing_id}
    clearing |= {
        p.extra["clearing_id"].split(":")[-1]
        for _, p in payment.parties()
        if "clearing_id" in p.extra
    }
    assert members <= clearing


def _check_agent(agent: object, tree: etree._Element, tag: str) -> None:
    assert getattr(agent, "bic", None) == _x(tree, f"CdtTrfTxInf/{tag}/FinInstnId/BICFI")
    name = _x(tree, f"CdtTrfTxInf/{tag}/FinInstnId/Nm")
    if name is not None:
        assert getattr(agent, "name", None) == name


@pytest.mark.parametrize("path", PACS008, ids=lambda p: p.name)
def test_every_fed_pacs008_sample_maps_its_fields(path: Path) -> None:
    payment = parse_message(path.read_bytes())
    tree = _tree(path)
    assert payment.message_type is MessageType.PACS008
    _check_common(payment, tree)
    assert payment.debtor.name == _x(tree, "CdtTrfTxInf/Dbtr/Nm")
    assert payment.creditor.name == _x(tree, "CdtTrfTxInf/Cdtr/Nm")
    assert payment.debtor.account == _account(tree, "CdtTrfTxInf/DbtrAcct")
    assert payment.creditor.account == _account(tree, "CdtTrfTxInf/CdtrAcct")
    assert payment.debtor.country == _x(tree, "CdtTrfTxInf/Dbtr/PstlAdr/Ctry")
    _check_agent(payment.debtor_agent, tree, "DbtrAgt")
    _check_agent(payment.creditor_agent, tree, "CdtrAgt")


@pytest.mark.parametrize("path", PACS009, ids=lambda p: p.name)
def test_every_fed_pacs009_sample_maps_its_fields(path: Path) -> None:
    payment = parse_message(path.read_bytes())
    tree = _tree(path)
    assert payment.message_type is MessageType.PACS009
    _check_common(payment, tree)
    if tree.find(".//{*}UndrlygCstmrCdtTrf") is None:
        # Bank-to-bank: the institutions are the parties, named by name or else by BIC.
        for party, tag in ((payment.debtor, "Dbtr"), (payment.creditor, "Cdtr")):
            bic = _x(tree, f"CdtTrfTxInf/{tag}/FinInstnId/BICFI")
            assert party.bic == bic
            assert party.name == (_x(tree, f"CdtTrfTxInf/{tag}/FinInstnId/Nm") or bic)
        if tree.find(".//{*}CdtTrfTxInf/{*}DbtrAgt") is not None:
            _check_agent(payment.debtor_agent, tree, "DbtrAgt")
    else:
        assert payment.debtor.name == _x(tree, "UndrlygCstmrCdtTrf/Dbtr/Nm")
        assert payment.creditor.name == _x(tree, "UndrlygCstmrCdtTrf/Cdtr/Nm")
        _check_agent(payment.debtor_agent, tree, "UndrlygCstmrCdtTrf/DbtrAgt")
        assert payment.extra["cover"] is True


def test_customer_transfer_scenario1_literal_values() -> None:
    raw = (FED / "pacs.008" / "CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml").read_bytes()
    payment = parse_message(raw, "application/xml")
    assert payment.payment_id == "Scenario01EtoEId001"
    assert payment.uetr == "8a562c67-ca16-48ba-b074-65581be6f011"
    assert payment.created_at == datetime(2025, 3, 10, 13, 0, tzinfo=UTC)
    assert payment.value_date == date(2025, 3, 10)
    assert payment.amount == Decimal("510000.74")
    assert payment.debtor.name == "Corporation A"
    assert payment.debtor.account == "5647772655"
    assert payment.debtor.address == [
        "Avenue of the Fountains 167565",
        "Suite D110",
        "85268 Fountain Hills",
        "AZ",
    ]
    assert payment.debtor_agent.name == "Bank A"
    assert payment.debtor_agent.clearing_id == "USABA:011104238"
    assert payment.debtor_agent.country == "US"
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.clearing_id == "USABA:011104238"
    assert payment.instructed_agent is not None
    assert payment.instructed_agent.name == "USABA:021040078"  # named by its clearing id
    assert payment.remittance_info == "CINV INV34563 2025-03-01"
    assert payment.extra["end_to_end_id"] == "Scenario01EtoEId001"
    assert payment.extra["schema_version"] == "pacs.008.001.08"


def test_cover_puts_underlying_customers_first_and_interbank_banks_in_chain() -> None:
    raw = (FED / "pacs.009" / "FICreditTransfer_Scenario6_Step1_pacs.009.xml").read_bytes()
    payment = parse_message(raw)
    assert payment.debtor.name == "Corporation Z"
    assert payment.debtor.account == "BE34001216371411"
    assert payment.debtor.country == "BE"
    assert payment.creditor.name == "Corporation Y"
    assert payment.creditor.account == "BR9700360305000010009795493P1"
    assert payment.debtor_agent.bic == "BANZBEBB"
    assert payment.creditor_agent.bic == "BANYBRRJ"
    roles = [(a.extra["role"], a.bic) for a in payment.intermediary_agents]
    assert roles == [
        ("Dbtr", "BANZBEBB"),
        ("DbtrAgt", "BANCUS33"),
        ("CdtrAgt", "BANDUS33"),
        ("Cdtr", "BANYBRRJ"),
    ]
    assert payment.amount == Decimal("179852.25")
    assert payment.extra["underlying_instructed_amount"] == "17985234.25"
    assert payment.remittance_info == "Payment invoice 444563 dated 1st March 2025"


def test_core_pacs009_names_institution_parties_by_bic() -> None:
    raw = (FED / "pacs.009" / "FICreditTransfer_Scenario2_Step1_pacs.009.xml").read_bytes()
    payment = parse_message(raw)
    assert payment.debtor.name == payment.debtor.bic == "BACCUS33"
    assert payment.debtor.country == "US"
    assert payment.creditor.name == "BADDUS33"
    assert payment.extra.get("cover") is None


def _pacs008_with_namespace(version: str) -> bytes:
    raw = (FED / "pacs.008" / "CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml").read_bytes()
    tree = etree.fromstring(raw)
    remittance = tree.find(".//{*}RmtInf")  # its Strd layout differs between versions
    remittance.getparent().remove(remittance)
    return etree.tostring(tree).replace(b"pacs.008.001.08", f"pacs.008.001.{version}".encode())


def test_pacs008_v13_is_validated_against_its_own_xsd() -> None:
    payment = parse_message(_pacs008_with_namespace("13"))
    assert payment.extra["schema_version"] == "pacs.008.001.13"
    assert payment.extra["schema_validated"] is True
    assert payment.debtor.name == "Corporation A"


def test_unknown_version_parses_without_schema_and_says_so() -> None:
    payment = parse_message(_pacs008_with_namespace("99"))
    assert payment.extra["schema_validated"] is False
    assert payment.amount == Decimal("510000.74")


def test_xsd_dir_is_a_parameter(tmp_path: Path) -> None:
    raw = _pacs008_with_namespace("08")
    assert parse_message(raw, xsd_dir=tmp_path).extra["schema_validated"] is False
    assert parse_message(raw, xsd_dir=XSD_DIR).extra["schema_validated"] is True


def test_schema_error_names_line_and_element_path() -> None:
    raw = _pacs008_with_namespace("08").replace(b"<MsgId>", b"<Bogus/><MsgId>")
    with pytest.raises(ParseError) as caught:
        parse_message(raw)
    assert caught.value.reason == "xml-schema"
    assert "/Document/FIToFICstmrCdtTrf/GrpHdr/Bogus" in caught.value.detail
    assert "line " in caught.value.detail


def test_envelope_with_app_header_is_read() -> None:
    document = _pacs008_with_namespace("08")
    head = (
        b'<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
        b"<Fr><FIId><FinInstnId><BICFI>AAAAIQBA</BICFI></FinInstnId></FIId></Fr>"
        b"<To><FIId><FinInstnId><BICFI>BBBBUS33</BICFI></FinInstnId></FIId></To>"
        b"<BizMsgIdr>BIZ-1</BizMsgIdr><MsgDefIdr>pacs.008.001.08</MsgDefIdr>"
        b"<CreDt>2025-03-10T13:00:00Z</CreDt></AppHdr>"
    )
    raw = b"<Envelope>" + head + document + b"</Envelope>"
    payment = parse_message(raw)
    assert payment.extra["business_message_id"] == "BIZ-1"
    # The transaction's own InstgAgt wins over the header's Fr.
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.clearing_id == "USABA:011104238"


def test_several_transactions_need_parse_messages() -> None:
    tree = etree.fromstring(_pacs008_with_namespace("08"))
    tx = tree.find(".//{*}CdtTrfTxInf")
    second = etree.fromstring(etree.tostring(tx))
    second.find(".//{*}EndToEndId").text = "SECOND"
    tx.addnext(second)
    tree.find(".//{*}NbOfTxs").text = "2"
    raw = etree.tostring(tree)
    with pytest.raises(ParseError) as caught:
        parse_message(raw)
    assert caught.value.reason == "multi-transaction"
    assert [p.payment_id for p in parse_messages(raw)] == ["Scenario01EtoEId001", "SECOND"]


def test_non_payment_iso_message_is_unsupported() -> None:
    raw = next((FED / "pacs.002").glob("*.xml")).read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_message(raw, "application/xml")
    assert caught.value.reason == "xml-unsupported"


# --------------------------------------------------------------------------- harmless quirks

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
PACKAGING = [
    ("UTF-8 BOM", lambda r: b"\xef\xbb\xbf" + r, []),
    ("blank lines before the declaration", lambda r: b"\r\n\n  " + _DECLARATION + r, []),
    ("BOM, then the declaration", lambda r: b"\xef\xbb\xbf" + _DECLARATION + r, []),
    ("CRLF line ends", lambda r: r.replace(b"\n", b"\r\n"), []),
    ("trailing blank lines", lambda r: r + b"\n\n \t\n", []),
    ("NUL padding", lambda r: r + b"\x00" * 64, ["trailing NUL/0x1A padding"]),
    ("DOS end of file 0x1A", lambda r: r + b"\r\n\x1a", ["trailing NUL/0x1A padding"]),
]


@pytest.mark.parametrize(("what", "mutate", "notes"), PACKAGING, ids=[w for w, _, _ in PACKAGING])
def test_packaging_quirks_are_screened(what: str, mutate: object, notes: list[str]) -> None:
    raw = PACS008[0].read_bytes()
    clean = parse_message(raw, xsd_dir=XSD_DIR)
    payment = parse_message(mutate(raw), xsd_dir=XSD_DIR)  # type: ignore[operator]
    assert payment.extra["schema_validated"] is True
    assert payment.model_dump(exclude={"parse_warnings"}) == clean.model_dump(
        exclude={"parse_warnings"}
    )
    assert [w[: len(n)] for w, n in zip(payment.parse_warnings, notes, strict=True)] == notes


def test_padding_note_reaches_every_transaction_of_a_batch() -> None:
    raw = PACS008[0].read_bytes()
    payments = parse_messages(raw + b"\x1a")
    assert payments and all(p.parse_warnings for p in payments)


@pytest.mark.parametrize(
    ("tail", "reason"),
    [(b"<Extra/>", "xml-invalid"), (b"\x00garbage", "xml-invalid")],
    ids=["second element", "text after padding"],
)
def test_content_after_the_document_is_still_refused(tail: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(PACS008[0].read_bytes() + tail, xsd_dir=XSD_DIR)
    assert caught.value.reason == reason


def test_nothing_but_padding_is_empty() -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(b"\x00\x00\x1a")
    assert caught.value.reason == "empty"
