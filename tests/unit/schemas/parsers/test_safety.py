"""Hostile input: XML bombs, external entities, oversize, wrong encodings, and fuzzing.

The property is "parse_message raises nothing but ParseError" (so the ingest agent can always
dead-letter instead of crashing) and, for attacks, that the reason names the attack. No timing
assertions; memory is bounded with tracemalloc as a correctness limit.
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.parsers import ParseError, detect_format, parse_message
from schemas.payment import MessageType
from tests.unit.schemas.parsers.samples import PACS008, PACS009, PROWIDE, prowide_mt103_chunks
from tests.unit.schemas.parsers.test_mt import MT103_INPUT, MT202COV

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>"""


def test_billion_laughs_is_rejected_without_expanding() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as caught:
            parse_message(BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.reason == "xml-forbidden-dtd"
    assert peak < 50 * 1024 * 1024


def test_external_entity_is_rejected() -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(XXE, "application/xml")
    assert caught.value.reason == "xml-forbidden-dtd"
    assert "root:" not in str(caught.value)


def test_undeclared_entity_without_doctype_is_invalid_xml() -> None:
    raw = XXE.replace(b'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"")
    with pytest.raises(ParseError) as caught:
        parse_message(raw)
    assert caught.value.reason == "xml-invalid"


def test_doctype_hidden_in_utf16_is_refused_as_not_utf8() -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(XXE.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))
    assert caught.value.reason in {"not-utf8", "unknown-format"}


def test_size_limit_is_enforced_before_parsing() -> None:
    raw = PACS008[0].read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_message(raw, max_bytes=len(raw) - 1)
    assert caught.value.reason == "too-large"
    assert parse_message(raw, max_bytes=len(raw)).amount > 0


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [
        (b"", None, "empty"),
        (b"   \n", None, "empty"),
        (b"hello", None, "unknown-format"),
        (b"{not json", None, "json-invalid"),
        (b'{"payment_id": "x"}', "application/json", "json-schema"),
        (b"<a>", None, "xml-unsupported"),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08'>", None, "xml-invalid"),
        (b"\xff\xfe<x/>", "application/xml", "not-utf8"),
        (b"{1:F01AAAABBCCAXXX0000000000}", None, "mt-structure"),
    ],
)
def test_garbage_gets_a_precise_reason(raw: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(raw, content_type)
    assert caught.value.reason == reason


def test_json_schema_error_names_the_field() -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(b'{"payment_id": "x", "amount": "-1"}')
    assert caught.value.reason == "json-schema"
    assert "amount:" in caught.value.detail


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", MessageType.JSON),
        ("application/xml; type=pacs.009", MessageType.PACS009),
        ("text/x-swift-mt", MessageType.MT103),
    ],
)
def test_content_type_wins_over_sniffing(content_type: str, expected: MessageType) -> None:
    assert detect_format(MT103_INPUT.encode(), content_type) is expected


def test_sniffing() -> None:
    assert detect_format(PACS008[0].read_bytes()) is MessageType.PACS008
    assert detect_format(PACS009[0].read_bytes()) is MessageType.PACS009
    assert detect_format(b'\xef\xbb\xbf {"a": 1}') is MessageType.JSON
    assert detect_format(MT103_INPUT.encode()) is MessageType.MT103
    assert detect_format(MT202COV.encode()) is MessageType.MT202COV
    assert detect_format(MT202COV.replace("{119:COV}", "").encode()) is MessageType.MT202
    ack = (PROWIDE / "MT103-bulk-with-ack.rje").read_bytes()
    assert detect_format(ack) is MessageType.MT103


# --------------------------------------------------------------------------- fuzzing

VALID = [
    PACS008[0].read_bytes(),
    PACS009[-1].read_bytes(),
    prowide_mt103_chunks()[0][1].encode(),
    MT103_INPUT.encode(),
    MT202COV.encode(),
    b'{"payment_id":"P1","created_at":"2025-04-01T09:30:00Z","value_date":"2025-04-01",'
    b'"amount":"9500.00","currency":"USD","debtor":{"name":"A"},"debtor_agent":{"bic":"AIBIIQBA"},'
    b'"creditor":{"name":"B"},"creditor_agent":{"bic":"EBILAEAD"}}',
]
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "application/xml", "text/x-swift-mt", "application/xml; type=x"]
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_parse_errors(raw: bytes, content_type: str | None) -> None:
    try:
        parse_message(raw, content_type)
    except ParseError as exc:
        assert exc.reason != "internal-error", exc.detail  # a bug, even though it is contained


@FUZZ
@given(st.binary(max_size=2048), CONTENT_TYPES)
def test_random_bytes_only_raise_parse_error(raw: bytes, content_type: str | None) -> None:
    _only_parse_errors(raw, content_type)


@FUZZ
@given(st.sampled_from(VALID), st.integers(min_value=0), CONTENT_TYPES)
def test_truncations_only_raise_parse_error(raw: bytes, cut: int, content_type: str | None) -> None:
    _only_parse_errors(raw[: cut % (len(raw) + 1)], content_type)


@FUZZ
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(min_value=0), st.binary(max_size=8), st.integers(0, 8)), max_size=6
    ),
)
def test_mutations_only_raise_parse_error(raw: bytes, edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(raw)
    for position, insert, delete in edits:
        at = position % (len(data) + 1)
        data[at : at + delete] = insert
    _only_parse_errors(bytes(data), None)


@FUZZ
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(list(b"{}:<>/\n-$&;'\"0A"))), max_size=8
    ),
)
def test_structural_character_mutations_only_raise_parse_error(
    raw: bytes, edits: list[tuple[int, int]]
) -> None:
    data = bytearray(raw)
    for position, char in edits:
        data[position % len(data)] = char
    _only_parse_errors(bytes(data), None)
