"""The MT reader step by step: blocks -> messages, block 4 -> fields, header, parties, chain.

Each step is checked on the typed value it hands the next one; the end-to-end mapping is
tested in tests/unit/schemas/parsers/test_mt.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemas.parsers.errors import ParseError
from schemas.parsers.mt.blocks import split_mt_messages
from schemas.parsers.mt.fields import FieldList, MtField, read_fields
from schemas.parsers.mt.header import Header, created_at, read_header
from schemas.parsers.mt.parties import agent, chain, field72_agents, party
from schemas.parsers.mt.payments import payment_fields
from schemas.parsers.mt.values import narrative, value_dated
from tests.unit.schemas.parsers.test_mt import MT103_INPUT, MT202COV

ACK = "{1:F21AIBIIQBAAXXX0000000000}{4:{177:2503011016}{451:0}}"


def test_blocks_of_a_cover_with_its_ack() -> None:
    (message,) = split_mt_messages(ACK + MT202COV)
    assert message.block1 == "F01BOFAUS3NAXXX0000000000"
    assert message.block2.startswith("O2021015250301AIBIIQBAAXXX")
    assert message.block3 == {"119": "COV", "121": "11111111-2222-4333-8444-555555555555"}
    assert message.ack == {"177": "2503011016", "451": "0"}
    assert [f.tag for f in message.fields][:4] == ["20", "21", "32A", "52A"]
    assert message.fields[0] == MtField("20", "COVREF1", 2)
    assert message.warnings == []


def test_a_brace_too_many_is_a_warning_of_its_own_message() -> None:
    first, second = split_mt_messages(MT202COV + "}" + MT103_INPUT)
    assert first.warnings == ["line 18: an extra '}' after block 4 ignored"]
    assert second.warnings == []


def test_block_one_must_be_text() -> None:
    with pytest.raises(ParseError, match="block 1 must be plain text"):
        split_mt_messages("{1:{A:B}}")


def test_fields_join_continuation_lines_and_note_lower_case_tags() -> None:
    warnings: list[str] = []
    fields = read_fields("\n:20:REF\n:50k:/123\nALI   \n:32A:250301USD1,", 1, warnings)
    assert fields == [
        MtField("20", "REF", 2),
        MtField("50K", "/123\nALI", 3),
        MtField("32A", "250301USD1,", 5),
    ]
    assert warnings == ["field tags in lower case: :50k: (line 3)"]


def test_cover_sequences_split_at_the_ordering_customer() -> None:
    (message,) = split_mt_messages(MT202COV)
    sequences = FieldList(message.fields).split_at("50")
    assert sequences is not None
    seq_a, seq_b = sequences
    assert seq_a.first("58") == MtField("58A", "EBILAEAD", 7)
    assert [f.tag for f in seq_b.fields][:2] == ["50K", "52A"]
    assert FieldList(seq_a.fields).split_at("50") is None


def test_header_of_an_output_and_an_input_message() -> None:
    (output,) = split_mt_messages(MT202COV)
    header = read_header(output)
    assert header == Header(
        "202",
        {"bic": "AIBIIQBA", "role": "block2"},
        {"bic": "BOFAUS3N", "role": "block1"},
        "output",
        "1015",
        "250301",
    )
    assert created_at(header, date(2025, 3, 2)) == (
        datetime(2025, 3, 1, 10, 15, tzinfo=UTC),
        "block2",
    )
    (inp,) = split_mt_messages(MT103_INPUT)
    header = read_header(inp)
    assert (header.direction, header.input_time, header.sender["bic"]) == (
        "input",
        None,
        "AIBIIQBA",
    )
    assert created_at(header, date(2025, 3, 1)) == (datetime(2025, 3, 1, tzinfo=UTC), "32A")


def test_values_of_32a_and_70() -> None:
    warnings: list[str] = []
    settled = value_dated(MtField("32A", "250301usd9500,5", 4), warnings)
    assert settled == (date(2025, 3, 1), "USD", "9500.5")
    assert warnings == [":32A: (line 4): currency 'usd' in lower case"]
    text = "/ROC/E2E-1\n" + "A" * 35 + "\nB\nC"
    assert narrative(MtField("70", text, 9)) == ("E2E-1", "A" * 35 + "B C")


def test_bank_options_and_the_chain() -> None:
    assert agent(MtField("57D", "//FW021000089\nSOME BANK\nDUBAI", 5), "57D") == {
        "role": "57D",
        "clearing_id": "FW021000089",
        "name": "SOME BANK",
        "address": ["DUBAI"],
    }
    assert agent(MtField("57B", "/123\nDUBAI", 5)) is None
    with pytest.raises(ParseError, match=r":52A: \(line 7\): invalid BIC"):
        agent(MtField("52A", "NOT A BIC", 7))
    fields = FieldList([MtField("53B", "/123456", 5), MtField("56A", "CITIUS33", 6)])
    banks, unidentified = chain(fields, ("53", "54", "56"), "A/")
    assert banks == [{"role": "A/56A", "bic": "CITIUS33"}]
    assert unidentified == [{"role": "A/53B", "value": "/123456"}]


def test_field72_names_instructing_institutions() -> None:
    fld = MtField("72", "/INS/MELIIRTH\n/ACC/X\n/INS/A BANK\n//IN BAGHDAD", 12)
    assert field72_agents(fld, "72/INS") == [
        {"bic": "MELIIRTH", "role": "72/INS"},
        {"name": "A BANK IN BAGHDAD", "role": "72/INS"},
    ]


def test_party_50f_with_an_identifier_and_no_name() -> None:
    assert party(MtField("50F", "CUST/IQ/AIBI/123\n3/IQ/BAGHDAD", 4)) == {
        "identifier": "CUST/IQ/AIBI/123",
        "name": "CUST/IQ/AIBI/123",
        "address": ["BAGHDAD"],
        "country": "IQ",
        "name_missing": True,
        "field": "50F",
    }


def test_payment_fields_of_a_cover() -> None:
    (message,) = split_mt_messages(MT202COV)
    fields = payment_fields(message)
    assert fields["mt"] == "202"
    assert fields["cover"] is True
    debtor = fields.get("debtor")
    assert debtor is not None and debtor["name"] == "ALI HASSAN"
    assert "parse_warnings" not in fields  # empty values are left to the model's defaults
