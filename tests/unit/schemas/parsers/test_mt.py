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
from schemas.payment import MessageType, Payment
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


# --------------------------------------------------------------------------- harmless quirks
# Real messages (prowide samples) mutated the way real traffic deviates from FIN. A quirk that
# leaves the payment readable is read past and named in parse_warnings; whitespace is no quirk.

BASE_NAME, BASE = CHUNKS[3]  # MT103-out-ack.rje:0, an output MT103 with 52D, 59 and 70
_BLOCK1_LT = re.compile(r"\{1:F01([A-Z0-9]{12})(\d{10})\}")
_BLOCK2_MIR = re.compile(r"(\{2:O\d{3}\d{4}\d{6}[A-Z0-9]{12})\d{10}([^}]*)\}")


def _headers(text: str) -> str:
    return text[: text.index("{3:")]


def _same_payment(quirky: object, clean: object) -> bool:
    skip = {"parse_warnings"}
    return quirky.model_dump(exclude=skip) == clean.model_dump(exclude=skip)  # type: ignore[attr-defined]


QUIRKS = [
    ("text block ends '-}}'", lambda t: t.replace("\n-}", "\n-}}"), "an extra '}' after block 4"),
    ("text block ends '-}}}'", lambda t: t.replace("\n-}", "\n-}}}"), "2 extra '}' after block 4"),
    ("block 1 without F01", lambda t: t.replace("{1:F01", "{1:"), "lacks its application"),
    (
        "block 1 BIC11, no terminal code",
        lambda t: _BLOCK1_LT.sub(lambda m: "{1:F01" + m[1][:8] + m[1][9:] + m[2] + "}", t),
        "block 1 names BIC BICFOOYYXXX without a terminal code",
    ),
    (
        "block 1 BIC8 only",
        lambda t: _BLOCK1_LT.sub(lambda m: "{1:" + m[1][:8] + "}", t),
        "block 1 names BIC BICFOOYY without a terminal code",
    ),
    ("'-}' after the last field", lambda t: t.replace("\n-}", "-}"), "follows the last field"),
    ("bare '}' ends the text", lambda t: t.replace("\n-}", "\n}"), "closed by '}' without '-'"),
    (
        "lower-case headers",
        lambda t: t.replace(_headers(t), _headers(t).lower()),
        "block 2 in lower",
    ),
    ("lower-case tag", lambda t: t.replace(":32A:", ":32a:"), "field tags in lower case: :32a:"),
    ("lower-case currency", lambda t: t.replace("USD1814", "usd1814"), "currency 'usd'"),
    ("empty trailer", lambda t: t + "{5:}", "empty block 5 ignored"),
    (
        "block 2 without MIR session/sequence",
        lambda t: _BLOCK2_MIR.sub(lambda m: m[1] + "}", t),
        "block 2 lacks the MIR session",
    ),
]


@pytest.mark.parametrize(("quirk", "mutate", "warning"), QUIRKS, ids=[q for q, _, _ in QUIRKS])
def test_harmless_quirk_is_screened_with_a_warning(
    quirk: str, mutate: object, warning: str
) -> None:
    clean = parse_message(BASE.encode())
    quirky_text = mutate(BASE)  # type: ignore[operator]
    assert quirky_text != BASE, f"the mutation '{quirk}' did not apply to {BASE_NAME}"
    payment = parse_message(quirky_text.encode())
    assert _same_payment(payment, clean)
    assert len(payment.parse_warnings) >= 1
    assert any(warning in w for w in payment.parse_warnings), payment.parse_warnings
    assert clean.parse_warnings == []


@pytest.mark.parametrize(("name", "text"), CHUNKS, ids=[n for n, _ in CHUNKS])
def test_every_sample_survives_the_two_reported_quirks(name: str, text: str) -> None:
    """Issue 13: '-}}' and a block 1 without 'F01' went to the DLQ."""
    clean = parse_message(text.encode())
    quirky = text.replace("{1:F01", "{1:").replace("\n-}", "\n-}}")
    payment = parse_message(quirky.encode())
    assert _same_payment(payment, clean)
    end_line = text[: text.index("\n-}")].count("\n") + 2
    assert payment.parse_warnings == [
        f"line {end_line}: an extra '}}' after block 4 ignored",
        "block 1 lacks its application and service id 'F01'",
    ]


def test_all_quirks_at_once_and_their_order() -> None:
    quirky = BASE
    chosen = ("block 2 without", "empty trailer", "lower-case c", "lower-case t", "block 1 without")
    chosen += ("lower-case h", "bare")  # headers lower-cased after the F01 and MIR cuts
    for start in chosen:
        quirky = next(m for q, m, _ in QUIRKS if q.startswith(start))(quirky)  # type: ignore[operator]
    payment = parse_message(quirky.encode())
    assert _same_payment(payment, parse_message(BASE.encode()))
    # tokenizer's notes first (in text order), then the headers', then the fields'
    assert payment.parse_warnings == [
        "line 21: block 4 closed by '}' without '-'",
        "field tags in lower case: :32a: (line 4)",
        "line 21: empty block 5 ignored",
        "block 1 in lower case",
        "block 1 lacks its application and service id 'F01'",
        "block 2 in lower case",
        "block 2 lacks the MIR session and sequence number",
        ":32A: (line 4): currency 'usd' in lower case",
    ]


WHITESPACE = [
    ("CRLF", lambda t: t.replace("\n", "\r\n")),
    ("trailing spaces", lambda t: t.replace("\n", "  \t\n")),
    ("blank lines around", lambda t: "\n\n" + t + "\n\n\n"),
    ("RJE '$' around", lambda t: "$\n" + t + "\n$\n"),
    ("indented '-}'", lambda t: t.replace("\n-}", "\n   -}")),
    ("spaces in headers", lambda t: t.replace("{1:F01", "{1: F01").replace("{2:O", "{2: O")),
    ("UTF-8 BOM", lambda t: "\ufeff" + t),
]


@pytest.mark.parametrize(("what", "mutate"), WHITESPACE, ids=[w for w, _ in WHITESPACE])
def test_whitespace_is_not_a_quirk(what: str, mutate: object) -> None:
    payment = parse_message(mutate(BASE).encode())  # type: ignore[operator]
    assert payment == parse_message(BASE.encode())
    assert payment.parse_warnings == []


def test_a_whole_lower_case_message_is_read() -> None:
    payment = parse_message(BASE.lower().encode())
    assert payment.currency == "USD"
    assert payment.debtor_agent.name == "north foo bank"
    assert payment.instructing_agent is not None
    assert payment.instructing_agent.bic == "BBBBUS3N"
    assert "block 1 in lower case" in payment.parse_warnings


def test_lower_case_cov_flag_still_makes_a_cover() -> None:
    payment = parse_message(MT202COV.replace("{119:COV}", "{119:cov}").encode())
    assert payment.message_type is MessageType.MT202COV
    assert payment.parse_warnings == []  # block 3 values are free text, not codes


def test_warnings_belong_to_their_own_message_in_a_batch() -> None:
    rje = (PROWIDE / "MT103-bulk-with-ack.rje").read_text()
    second_start = rje.index("{1:F21", 10)
    quirky = rje[:second_start] + rje[second_start:].replace("\n-}", "\n-}}", 1)
    payments = parse_messages(quirky.encode())
    assert [bool(p.parse_warnings) for p in payments] == [False, True, False]
    assert payments == [
        p.model_copy(update={"parse_warnings": q.parse_warnings})
        for p, q in zip(parse_messages(rje.encode()), payments, strict=True)
    ]


@pytest.mark.parametrize(
    ("mutate", "reason", "needle"),
    [
        (lambda t: t.replace("\n-}", ""), "mt-structure", "block 4 has no '-}' end"),
        (lambda t: t.replace("\n-}", "\n-") + "{5:{CHK:1}}", "mt-structure", "block 4"),
        (lambda t: t.replace("{1:F01", "{1:F01??"), "mt-structure", "block 1 malformed"),
        (lambda t: re.sub(r"\{2:[^}]*\}", "{2:O103}", t), "mt-structure", "block 2 malformed"),
        (lambda t: t.replace("USD1814,28", "US1814,28"), "mt-field", ":32A:"),
        (lambda t: t.replace("\n-}", "\n-}x"), "mt-structure", "expected '{n:' block"),
    ],
    ids=["unclosed", "brace-in-text", "block1", "block2", "currency", "trailing-text"],
)
def test_what_cannot_be_screened_is_still_refused(mutate: object, reason: str, needle: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(mutate(BASE).encode())  # type: ignore[operator]
    assert caught.value.reason == reason
    assert needle in caught.value.detail


def test_parse_warnings_reach_the_decision() -> None:
    from offline.screen import Screened, SourceRecord, screen_records
    from tests.unit.rules.conftest import context

    quirky = BASE.replace("{1:F01", "{1:").replace("\n-}", "\n-}}")
    records = [SourceRecord("quirky", quirky.encode()), SourceRecord("clean", BASE.encode())]
    screened = list(screen_records(records, context(), None, 1_048_576))
    assert all(isinstance(s, Screened) for s in screened)
    quirky_decision, clean_decision = (s.decision for s in screened)  # type: ignore[union-attr]
    assert quirky_decision.parse_warnings == [
        "line 21: an extra '}' after block 4 ignored",
        "block 1 lacks its application and service id 'F01'",
    ]
    assert clean_decision.parse_warnings == []
    # the worker hands payments on as JSON (payments.valid): the warnings survive the hop
    payment = screened[0].payment  # type: ignore[union-attr]
    assert Payment.model_validate_json(payment.model_dump_json()).parse_warnings == (
        payment.parse_warnings
    )


def test_nul_padding_after_a_fin_message_is_noted() -> None:
    payment = parse_message(BASE.encode() + b"\r\n" + b"\x00" * 16)
    assert _same_payment(payment, parse_message(BASE.encode()))
    assert payment.parse_warnings == ["trailing NUL/0x1A padding after the message removed"]
