"""The ISO 20022 reader step by step: the envelope and its validation, agents and parties.

The end-to-end mapping is tested in tests/unit/schemas/parsers/test_iso20022.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.parsers.errors import ParseError
from schemas.parsers.iso20022.envelope import NO_APP_HEADER, open_message
from schemas.parsers.iso20022.parties import agent, party
from schemas.parsers.iso20022.safe_xml import parse_xml_safely
from tests.unit.schemas.parsers.samples import PACS008, PACS009, XSD_DIR

pytestmark = pytest.mark.skipif(not PACS008, reason="shared samples not present")

NS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
HEAD = (
    b'<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
    b"<Fr><FIId><FinInstnId><BICFI>AAAAIQBA</BICFI></FinInstnId></FIId></Fr>"
    b"<To><FIId><FinInstnId><BICFI>BBBBUS33</BICFI></FinInstnId></FIId></To>"
    b"<BizMsgIdr>BIZ-1</BizMsgIdr><MsgDefIdr>pacs.008.001.08</MsgDefIdr>"
    b"<CreDt>2025-03-10T13:00:00Z</CreDt></AppHdr>"
)


def _document(path: Path) -> bytes:
    raw = path.read_bytes()
    return raw[raw.index(b"<Document") :]


def test_a_bare_document_validated_and_not() -> None:
    root = parse_xml_safely(PACS008[0].read_bytes())
    message = open_message(root, XSD_DIR)
    assert (message.kind, message.ns, message.schema_validated) == ("pacs.008", NS, True)
    assert message.body.tag == f"{{{NS}}}FIToFICstmrCdtTrf"
    assert message.app_header is NO_APP_HEADER
    assert open_message(root, Path("/nonexistent")).schema_validated is False


def test_an_envelope_gives_the_app_header() -> None:
    root = parse_xml_safely(b"<Envelope>" + HEAD + _document(PACS008[0]) + b"</Envelope>")
    header = open_message(root, XSD_DIR).app_header
    assert header.sender == {"bic": "AAAAIQBA", "role": "AppHdr/Fr"}
    assert header.receiver == {"bic": "BBBBUS33", "role": "AppHdr/To"}
    assert (header.business_message_id, header.validated) == ("BIZ-1", True)


def test_two_documents_are_refused() -> None:
    document = _document(PACS009[0])
    root = parse_xml_safely(b"<Envelope>" + document + document + b"</Envelope>")
    with pytest.raises(ParseError, match="2 Documents in one message"):
        open_message(root, XSD_DIR)


def test_an_agent_without_bic_or_name_is_named_by_its_clearing_id() -> None:
    el = parse_xml_safely(
        f'<DbtrAgt xmlns="{NS}"><FinInstnId><ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId>'
        "<MmbId>011104238</MmbId></ClrSysMmbId></FinInstnId></DbtrAgt>".encode()
    )
    assert agent(el, NS, "DbtrAgt") == {
        "name": "USABA:011104238",
        "clearing_id": "USABA:011104238",
        "role": "DbtrAgt",
    }


def test_a_party_named_by_its_account() -> None:
    el = parse_xml_safely(
        f'<Dbtr xmlns="{NS}"><PstlAdr><StrtNm>Karrada</StrtNm><BldgNb>12</BldgNb>'
        "<TwnNm>Baghdad</TwnNm><Ctry>IQ</Ctry></PstlAdr></Dbtr>".encode()
    )
    account = parse_xml_safely(
        f'<DbtrAcct xmlns="{NS}"><Id><IBAN>IQ20AIBI001000000000123</IBAN></Id></DbtrAcct>'.encode()
    )
    assert party(el, NS, account) == {
        "name": "IQ20AIBI001000000000123",
        "account": "IQ20AIBI001000000000123",
        "country": "IQ",
        "address": ["Karrada 12", "Baghdad"],
        "name_missing": True,
    }
