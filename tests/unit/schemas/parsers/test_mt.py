"""MT103 / MT202 / MT202COV parsing, field by field.

Every MT103 in the prowide samples is checked against values pulled out of its text by regexes
written here; a few messages also against literal values. MT202/MT202COV have no public sample
in shared/, so they are written out below.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from schemas.parsers import ParseError, parse_message, parse_messages
from schemas.payment import MessageType
from tests.unit.schemas.parsers.samples import PROWIDE, prowide_mt103_chunks

CHUNKS = prowide_mt103_chunks()


def _field(text: str, tag: str) -> str:
    match = re.search(rf"^:{tag}:(.*(?:\n(?!:|-\}}).*)*)", text.replace("\r\n", "\n"), re.M)
    assert match, f"sample lacks :{tag}:"
    return match.group(1)


@pytest.mark.parametrize(("name", "text"), CHUNKS, ids=[n for n, _ in CHUNKS])
def test_every_prowide_mt103_maps_its_fields(name: str, text: str) -> None:
    payment = parse_message(text.encode())
    assert payment.message_type is MessageType.MT103
    assert payment.payment_id == _field(text, "20").strip()
    yymmdd, currency, amount = re.match(r"(\d{6})([A-Z]{3})([\d,]+)", _field(text, "32A")).groups()
    assert payment.value_date == date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    assert payment.currency == currency
    assert payment.amount == Decimal(amount.replace(",", ".").rstrip("."))
    ordering = _field(text, "50K").split("\n")
    first_name_line = ordering[1] if ordering[0].startswith("/") else ordering[0]
    assert payment.debtor.name == first_name_line.strip()
    beneficiary = _field(text, "59").split("\n")
    assert payment.creditor.account == beneficiary[0][1:]
    assert payment.creditor.name == beneficiary[1].strip()
    sender_lt = re.search(r"\{2:O103\d{10}([A-Z0-9]{12})", text).group(1)
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.bic == sender_lt[:8] + (
        "" if sender_lt[9:] == "XXX" else sender_lt[9:]
    )
    receiver_lt = re.search(r"\{1:F01([A-Z0-9]{12})", text).group(1)
    assert payment.instructed_agent is not None
    assert payment.instructed_agent.bic == receiver_lt[:8]
    if ":52A:" in text:
        assert payment.debtor_agent.bic == _field(text, "52A").split("\n")[-1].strip()
    if ":57A:" in text:
        assert payment.creditor_agent.bic == _field(text, "57A").strip()
    else:  # no 57a: the receiver is the beneficiary's bank
        assert payment.creditor_agent.bic == payment.instructed_agent.bic
    if ":53A:" in text:
        assert _field(text, "53A").strip() in {a.bic for a in payment.intermediary_agents}


def test_first_out_ack_message_literal_values() -> None:
    raw = (PROWIDE / "MT103-out-ack.rje").read_bytes()
    payment = parse_messages(raw)[0]
    assert payment.payment_id == "22342343"
    assert payment.uetr == "8579f4a4-a547-463e-ae63-e7c6620d59b4"
    assert payment.created_at == datetime(2019, 10, 14, 16, 10, tzinfo=UTC)
    assert payment.extra["created_at_source"] == "block2"
    assert payment.amount == Decimal("1814.28")
    assert payment.debtor.name == "FOO CAPITAL MARKETS LP"
    assert payment.debtor.address == ["99 WALL ST STE 9999", "NEW YORK, NY 10005-3122"]
    assert payment.debtor_agent.name == "NORTH FOO BANK"
    assert payment.debtor_agent.extra["address"] == ["999 BROAD FOO RD", "MELVILLE, NY 11747"]
    assert payment.creditor.name == "MERCADOS Y GESTION DE VALORES SA"
    assert payment.creditor.address == ["FOOSTREET 65", "MADRID SPAIN 28010701.18"]
    assert payment.creditor_agent.bic == "BICFOOYY"
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.bic == "BBBBUS3N"
    # 70 is hard-wrapped at 35 columns: "AUG" + "UST" is one word again.
    assert payment.remittance_info is not None
    assert "AUGUST,2007" in payment.remittance_info
    assert payment.extra["sender_to_receiver_info"] == "/ACC/ 00940060752415000231"


def test_rje_with_ack_blocks_and_field72_ins() -> None:
    payments = parse_messages((PROWIDE / "MT103-bulk-with-ack.rje").read_bytes())
    assert [p.payment_id for p in payments] == ["234234233", "C4772342333", "201904250034434"]
    first = payments[0]
    assert first.extra["network_ack"] == "0"
    assert first.extra["instructed_amount"] == "3710"
    ins = [a for a in first.intermediary_agents if a.extra["role"] == "72/INS"]
    assert [a.name for a in ins] == ["DEUTSCHE BANK TRUST CO. AMERICAS NEW YORK, NY 10015"]
    assert first.extra["unidentified_agents"] == [{"role": "53B", "value": "/00000000000000"}]
    assert payments[1].intermediary_agents[0].bic == "CCCCNGLAXXX"
    with pytest.raises(ParseError) as caught:
        parse_message((PROWIDE / "MT103-bulk-with-ack.rje").read_bytes())
    assert caught.value.reason == "multi-transaction"


def test_mt101_is_unsupported() -> None:
    with pytest.raises(ParseError) as caught:
        parse_message((PROWIDE / "MT101.fin").read_bytes())
    assert caught.value.reason == "mt-unsupported"


MT103_INPUT = (
    "{1:F01AIBIIQBAAXXX0000000000}{2:I103BOFAUS3NXXXXN}{3:{121:0b2a6d1e-3c4f-4a5b-9c6d-7e8f9a0b1c2d}}"
    "{4:\r\n:20:REF-1\r\n:23B:CRED\r\n:32A:250301USD9500,00\r\n"
    ":50F:/IQ20AIBI001000000000123\r\n1/ALI HASSAN\r\n2/KARRADA ST 12\r\n3/IQ/BAGHDAD\r\n"
    ":52A:AIBIIQBA\r\n:56A:CITIUS33\r\n:57D:SOME BANK\r\nDUBAI\r\n"
    ":59F:/AE070331234567890123456\r\n1/TEHRAN ENERGY CO\r\n3/AE/DUBAI\r\n"
    ":70:ELECTRICITY INVOICE 7\r\n:71A:OUR\r\n-}{5:{CHK:123456789ABC}}"
)


def test_input_mt103_with_50f_59f_and_56a() -> None:
    payment = parse_message(MT103_INPUT.encode(), "text/x-swift-mt")
    assert payment.created_at == datetime(2025, 3, 1, tzinfo=UTC)  # input MT: value date 00:00Z
    assert payment.extra["created_at_source"] == "32A"
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.bic == "AIBIIQBA"
    assert payment.instructed_agent is not None
    assert payment.instructed_agent.bic == "BOFAUS3N"
    assert payment.debtor.name == "ALI HASSAN"
    assert payment.debtor.account == "IQ20AIBI001000000000123"
    assert payment.debtor.address == ["KARRADA ST 12", "BAGHDAD"]
    assert payment.debtor.country == "IQ"
    assert payment.debtor_agent.country == "IQ"
    assert payment.creditor.name == "TEHRAN ENERGY CO"
    assert payment.creditor.country == "AE"
    assert payment.creditor_agent.name == "SOME BANK"
    assert [(a.bic, a.extra["role"]) for a in payment.intermediary_agents] == [("CITIUS33", "56A")]
    assert payment.remittance_info == "ELECTRICITY INVOICE 7"


MT202COV = (
    "{1:F01BOFAUS3NAXXX0000000000}{2:O2021015250301AIBIIQBAAXXX12345678902503011016N}"
    "{3:{119:COV}{121:11111111-2222-4333-8444-555555555555}}{4:\n"
    ":20:COVREF1\n:21:REF-1\n:32A:250301USD9500,00\n:52A:AIBIIQBA\n:57A:CITIUS33\n"
    ":58A:EBILAEAD\n"
    ":50K:/IQ20AIBI001000000000123\nALI HASSAN\nBAGHDAD\n:52A:AIBIIQBA\n"
    ":56A:MELIIRTH\n:57A:EBILAEAD\n:59:/AE070331234567890123456\nTEHRAN ENERGY CO\n"
    ":70:GAS\n:33B:USD9500,00\n-}"
)


def test_mt202cov_sequence_b_intermediary_is_screened() -> None:
    payment = parse_message(MT202COV.encode())
    assert payment.message_type is MessageType.MT202COV
    assert payment.payment_id == "COVREF1"
    assert payment.extra["related_reference"] == "REF-1"
    assert payment.created_at == datetime(2025, 3, 1, 10, 15, tzinfo=UTC)
    assert payment.debtor.name == "ALI HASSAN"
    assert payment.creditor.name == "TEHRAN ENERGY CO"
    assert payment.debtor_agent.bic == "AIBIIQBA"
    assert payment.creditor_agent.bic == "EBILAEAD"
    roles = {a.extra["role"]: a.bic for a in payment.intermediary_agents}
    assert roles == {
        "A/52A": "AIBIIQBA",
        "A/57A": "CITIUS33",
        "A/58A": "EBILAEAD",
        "B/56A": "MELIIRTH",
    }
    assert "MELIIRTH" in {a.bic for a in payment.intermediary_agents}
    assert payment.remittance_info == "GAS"
    assert payment.extra["instructed_amount"] == "9500.00"


def test_mt202_institutions_are_parties_named_by_bic() -> None:
    raw = MT202COV.replace("{119:COV}", "").split(":50K:")[0] + "-}"
    payment = parse_message(raw.encode())
    assert payment.message_type is MessageType.MT202
    assert payment.debtor.name == payment.debtor.bic == "AIBIIQBA"
    assert payment.debtor.country == "IQ"
    assert payment.creditor.name == "EBILAEAD"
    assert payment.creditor.country == "AE"
    assert payment.debtor_agent.bic == "AIBIIQBA"
    assert payment.creditor_agent.bic == "CITIUS33"


def test_mt202_without_52a_uses_sender_as_ordering_institution() -> None:
    raw = MT202COV.replace("{119:COV}", "").replace(":52A:AIBIIQBA\n", "").split(":50K:")[0]
    payment = parse_message((raw + "-}").encode())
    assert payment.debtor.bic == "AIBIIQBA"  # the sender from block 2
    assert payment.debtor_agent.bic == "AIBIIQBA"


@pytest.mark.parametrize(
    ("mutate", "reason", "needle"),
    [
        (lambda t: t.replace(":32A:250301USD9500,00", ":32A:251301USD9500,00"), "mt-field", "32A"),
        (lambda t: t.replace(":32A:250301USD9500,00", ":32A:250301USD9500.00"), "mt-field", "32A"),
        (lambda t: t.replace(":52A:AIBIIQBA", ":52A:NOT A BIC"), "mt-field", ":52A: (line 9)"),
        (lambda t: t.replace(":20:REF-1\r\n", ""), "mt-field", ":20:"),
        (lambda t: t.replace("\r\n-}", ""), "mt-structure", "block 4"),
        (lambda t: t.replace("{2:I103", "{2:I940"), "mt-unsupported", "MT940"),
        (lambda t: t.replace("9500,00", "0,"), "payment-invalid", "amount"),
    ],
)
def test_field_errors_name_tag_and_line(mutate: object, reason: str, needle: str) -> None:
    raw = mutate(MT103_INPUT)  # type: ignore[operator]
    with pytest.raises(ParseError) as caught:
        parse_message(raw.encode(), "text/x-swift-mt")
    assert caught.value.reason == reason
    assert needle in caught.value.detail
