"""Property tests for the ingest contract (issue #9): poison input never stops the pipeline.

For ANY bytes and content type, screening.decode.decode_payments returns either a non-empty list of
valid Payments (Decimal amount an ISO 20022 amount can carry, tz-aware UTC created_at, a JSON
form that round-trips through payments.valid) or a Rejection with a specific reason: never an
exception and never "internal-error" (that reason is the safety net for parser bugs).

Inputs: (a) arbitrary bytes under every content type detect.py recognises; (b) structure-aware
mutations of valid messages (the Fedwire pacs.008/pacs.009 and prowide MT103 samples in
../shared/data, synthetic JSON and rendered pacs.008/MT103 from generator): byte flips,
truncations, insertions, removed/duplicated fields and elements, hostile values (huge and tiny
numbers, NaN, negative, non-USD, naive or out-of-range timestamps), non-UTF-8 bytes, deep nesting,
DTD/XXE/billion-laughs prologs. XML is checked with the XSDs and without them (a deployment
without ../shared). Separately, external entities, DTDs, XInclude and schema locations must never
read a file or open a connection.

Reproducible by default (derandomize, no example database). To fuzz longer and explore new
inputs locally: DINARWATCH_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/unit/test_fuzz_ingest.py
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import orjson
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from generator.renderers import renderers
from generator.traffic import TrafficSpec, generate
from schemas.codec import dumps
from schemas.parsers import REASONS
from schemas.parsers.errors import MAX_AMOUNT_DIGITS, MAX_AMOUNT_FRACTION_DIGITS
from schemas.payment import Payment
from screening.deadletter import Rejection
from screening.decode import decode_payments
from tests.unit.schemas.parsers.samples import (
    PACS008,
    PACS009,
    PROWIDE,
    XSD_DIR,
    prowide_mt103_chunks,
)
from tests.unit.schemas.parsers.test_mt import MT103_INPUT, MT202COV

MAX_BYTES = 1_048_576
NO_XSD = Path(__file__).resolve().parent / "no-xsd-here"  # never created: the no-schema path

_LONG_RUN = int(os.environ.get("DINARWATCH_FUZZ_EXAMPLES", "0"))
EXAMPLES = _LONG_RUN or 400
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # CI: the same examples every run. A long local run explores and keeps what it finds.
    derandomize=not _LONG_RUN,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples") if _LONG_RUN else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

# --------------------------------------------------------------------------- the contract


def _digits(amount: Decimal) -> tuple[int, int]:
    """(total digits, fraction digits) of a finite Decimal, as XSD counts them."""
    plain = format(amount, "f") if abs(amount.adjusted()) < 100 else "9" * 100 + ".9"
    whole, _, fraction = plain.lstrip("-").partition(".")
    whole, fraction = whole.lstrip("0"), fraction.rstrip("0")
    return len(whole) + len(fraction), len(fraction)


def assert_valid_payment(payment: Payment, raw: bytes) -> None:
    assert isinstance(payment, Payment)
    assert isinstance(payment.amount, Decimal)
    assert payment.amount.is_finite()
    assert payment.amount > 0
    total, fraction = _digits(payment.amount)
    # ISO 20022 ActiveCurrencyAndAmount: anything larger cannot be a real payment (and a huge
    # exponent would make a gigabyte of JSON for payments.valid).
    assert total <= MAX_AMOUNT_DIGITS and fraction <= MAX_AMOUNT_FRACTION_DIGITS, payment.amount
    assert re.fullmatch(r"[A-Z]{3}", payment.currency)
    assert isinstance(payment.created_at, datetime)
    assert payment.created_at.tzinfo is not None
    assert payment.created_at.utcoffset() == timedelta(0)
    assert isinstance(payment.value_date, date)
    # What the ingest agent sends to payments.valid must be bounded and read back by `screen`.
    encoded = dumps(payment)
    assert len(encoded) <= 4 * len(raw) + 8192
    again = Payment.model_validate_json(encoded)
    assert (again.payment_id, again.amount, again.created_at) == (
        payment.payment_id,
        payment.amount,
        payment.created_at,
    )


def check(
    raw: bytes, content_type: str | None, xsd_dir: Path | None = None
) -> list[Payment] | Rejection:
    """decode_payments must not raise and must keep its contract; return its outcome."""
    return assert_contract(decode_payments(raw, content_type, MAX_BYTES, xsd_dir), raw)


def assert_contract(outcome: list[Payment] | Rejection, raw: bytes) -> list[Payment] | Rejection:
    if currently_in_test_context():  # --hypothesis-show-statistics shows the outcomes
        event(outcome.reason if isinstance(outcome, Rejection) else "payments")
    if isinstance(outcome, Rejection):
        assert outcome.reason in REASONS, outcome
        assert outcome.reason != "internal-error", outcome.detail
        assert outcome.detail
        return outcome
    assert isinstance(outcome, list)
    assert outcome, "a record must give at least one payment or a Rejection"
    for payment in outcome:
        assert_valid_payment(payment, raw)
    return outcome


# --------------------------------------------------------------------------- corpora

JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
MT_TYPE = "text/x-swift-mt"

CONTENT_TYPES = [
    None,
    JSON_TYPE,
    "application/vnd.dinarwatch.payment+json",
    XML_TYPE,
    "text/xml",
    "application/xml; type=pacs.008",
    "application/xml; type=pacs.009",
    'application/xml; type="pacs.008.001.08"',
    MT_TYPE,
    "application/x-swift; type=mt103",
    "text/x-swift-mt; type=mt202",
    "text/x-swift-mt; type=mt202cov",
    "application/x-fin; type=202",
    "text/plain",
    "",
]
content_types = st.sampled_from(CONTENT_TYPES) | st.text(max_size=40)


def _synthetic() -> list[tuple[bytes, str]]:
    spec = TrafficSpec(
        count=60,
        seed=9,
        start=datetime(2025, 6, 2, 6, tzinfo=UTC),
        violation_rate=0.2,
        usd_share=0.7,
        formats=("json", "pacs008", "mt103"),
        renderers=renderers(),
    )
    return [(record.value, record.content_type) for record in generate(spec)]


_SYNTHETIC = _synthetic()
JSON_SAMPLES = [raw for raw, ct in _SYNTHETIC if ct == JSON_TYPE]
XML_SAMPLES = [path.read_bytes() for path in PACS008 + PACS009] + [
    raw for raw, ct in _SYNTHETIC if ct == XML_TYPE
]
MT_SAMPLES = (
    [text.encode() for _, text in prowide_mt103_chunks()]
    + [path.read_bytes() for path in sorted(PROWIDE.glob("MT103*.rje"))]
    + [MT103_INPUT.encode(), MT202COV.encode()]
    + [raw for raw, ct in _SYNTHETIC if ct == MT_TYPE]
)
SAMPLES = {"json": JSON_SAMPLES, "xml": XML_SAMPLES, "mt": MT_SAMPLES}
_JSON = JSON_SAMPLES[0]
_PACS = PACS008[0].read_bytes()
_MT = MT103_INPUT.encode()


def _pacs_batch(copies: int) -> bytes:
    """_PACS with its one CdtTrfTxInf repeated: a batch of `copies` transactions."""
    start, end = _PACS.index(b"<CdtTrfTxInf>"), _PACS.index(b"</CdtTrfTxInf>") + 14
    return _PACS[:start] + _PACS[start:end] * copies + _PACS[end:]


_PACS_BATCH = _pacs_batch(MAX_BYTES // (len(_PACS) + 1))
NATURAL_TYPE = {"json": JSON_TYPE, "xml": XML_TYPE, "mt": MT_TYPE}


@pytest.mark.parametrize("family", sorted(SAMPLES))
def test_the_seed_corpus_is_valid(family: str) -> None:
    """Mutations start from messages that parse: otherwise they would only test rejection."""
    assert len(SAMPLES[family]) >= 10
    for raw in SAMPLES[family]:
        outcome = check(raw, NATURAL_TYPE[family], XSD_DIR)
        assert isinstance(outcome, list), outcome


# --------------------------------------------------------------------------- (a) random bytes

PREFIXES = [
    b"",
    b"{",
    b"[",
    b'{"payment_id":',
    b"<",
    b'<?xml version="1.0"?>',
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">',
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08"><FICdtTrf>',
    b"{1:F01",
    b"{1:F01AAAABBCCAXXX0000000000}{2:I103BBBBCCDDXXXXN}{4:\n",
    b"{1:F21AAAABBCCAXXX0000000000}{4:{177:2501011200}{451:0}}",
    b"\xef\xbb\xbf",
]


@FUZZ
@given(st.sampled_from(PREFIXES), st.binary(max_size=2048), content_types)
def test_arbitrary_bytes_get_payments_or_a_precise_reason(
    prefix: bytes, tail: bytes, content_type: str | None
) -> None:
    check(prefix + tail, content_type)


@FUZZ
@given(st.sampled_from(PREFIXES), st.text(max_size=1024), content_types)
def test_arbitrary_text_gets_payments_or_a_precise_reason(
    prefix: bytes, tail: str, content_type: str | None
) -> None:
    check(prefix + tail.encode("utf-8", "surrogatepass"), content_type)


# --------------------------------------------------------------------------- mutations

Mutator = Callable[[st.DataObject, bytes], bytes]

NON_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\x80",
    b"\xc3\x28",
    b"\xc0\xaf",  # overlong '/'
    b"\xed\xa0\x80",  # a UTF-16 surrogate
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xe2\x82",  # cut short
]
NASTY_BYTES = [
    b"\x00",
    b"\r",
    b"\r\n",
    b"\t",
    b"\x1a",
    b"\x0b\x0c",
    b"\xc2\xa0",
    b"\xe2\x80\xae",  # right-to-left override
    b"\xef\xbf\xbe",  # U+FFFE, not an XML character
    b"$",
    b"{",
    b"}",
    b"-}",
    b"<",
    b">",
    b"&",
    b'"',
    b"\\",
    b":",
    b"/",
    b"]]>",
    b"<!--",
]


def _position(data: st.DataObject, raw: bytes) -> int:
    return data.draw(st.integers(0, len(raw)), label="position")


def flip_bits(data: st.DataObject, raw: bytes) -> bytes:
    if not raw:
        return raw
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    bit = data.draw(st.integers(0, 7), label="bit")
    return raw[:at] + bytes([raw[at] ^ (1 << bit)]) + raw[at + 1 :]


def truncate(data: st.DataObject, raw: bytes) -> bytes:
    return raw[: _position(data, raw)]


def insert_bytes(data: st.DataObject, raw: bytes) -> bytes:
    at = _position(data, raw)
    chunk = data.draw(
        st.sampled_from(NON_UTF8 + NASTY_BYTES) | st.binary(min_size=1, max_size=16), label="ins"
    )
    return raw[:at] + chunk + raw[at:]


def delete_span(data: st.DataObject, raw: bytes) -> bytes:
    at = _position(data, raw)
    return raw[:at] + raw[at + data.draw(st.integers(1, 64), label="length") :]


def duplicate_span(data: st.DataObject, raw: bytes) -> bytes:
    start = _position(data, raw)
    span = raw[start : start + data.draw(st.integers(1, 256), label="length")]
    at = _position(data, raw)
    return raw[:at] + span + raw[at:]


def overwrite_byte(data: st.DataObject, raw: bytes) -> bytes:
    if not raw:
        return raw
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    return raw[:at] + data.draw(st.sampled_from(NASTY_BYTES + NON_UTF8)) + raw[at + 1 :]


BYTE_MUTATORS: list[Mutator] = [
    flip_bits,
    truncate,
    insert_bytes,
    delete_span,
    duplicate_span,
    overwrite_byte,
]

# --------------------------------------------------------------------------- JSON mutations

HOSTILE_AMOUNTS = [
    "1e999",
    "1E+999999999",
    "1e-999999999",
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "-1",
    "-0.00",
    "0",
    "0.000001",
    "1" * 19,
    "9" * 18,
    "1_000",
    " 12 ",
    "12,50",
    "0x10",
    "",
]
HOSTILE_TIMES = [
    "2025-04-01T09:30:00",  # no offset
    "2025-04-01",
    "2025-04-01T09:30:00+25:00",
    "9999-12-31T23:59:59-05:00",  # UTC is year 10000
    "0001-01-01T00:00:00+05:00",  # UTC is year 0
    "2025-02-30T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2999-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2025-04-01T09:30:00.123456789123Z",
    "1743499800",
    "",
]
HOSTILE_VALUES: list[object] = [
    None,
    "",
    " ",
    0,
    -1,
    1e308,
    10**40,
    True,
    [],
    {},
    [None],
    "x" * 5000,
    "\u0000",
    "\u202egnp.exe",
    "EUR",
    "usd",
    "IQD",
    "XXX",
    {"name": ""},
    {"bic": "NOTABIC!"},
    *HOSTILE_AMOUNTS,
    *HOSTILE_TIMES,
]
JSON_FIELDS = [
    "payment_id",
    "created_at",
    "value_date",
    "amount",
    "currency",
    "debtor",
    "debtor_agent",
    "creditor",
    "creditor_agent",
    "intermediary_agents",
    "uetr",
    "message_type",
    "debtor.name",
    "debtor.account",
    "debtor.country",
    "debtor_agent.bic",
    "debtor_agent.name",
    "creditor_agent.country",
    "intermediary_agents.0",
    "intermediary_agents.0.bic",
]
RAW_JSON_NUMBERS = [
    b"1e999",
    b"-1e999",
    b"1" + b"0" * 400,
    b"1E-400",
    b"NaN",
    b"Infinity",
    b"-0",
    b"0.1e1",
    b"00012",
    b"1.",
    b".5",
    b"+5",
]


def _set_path(doc: dict[str, object], path: str, value: object) -> None:
    target: object = doc
    steps = path.split(".")
    for step in steps[:-1]:
        if isinstance(target, dict) and step in target:
            target = target[step]
        elif isinstance(target, list) and step.isdigit() and int(step) < len(target):
            target = target[int(step)]
        else:
            return
    last = steps[-1]
    if isinstance(target, dict):
        target[last] = value
    elif isinstance(target, list) and last.isdigit() and int(last) < len(target):
        target[int(last)] = value


def _del_path(doc: dict[str, object], path: str) -> None:
    head, _, last = path.rpartition(".")
    target: object = doc
    for step in head.split(".") if head else []:
        target = target.get(step) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target.pop(last, None)


def json_set_field(data: st.DataObject, raw: bytes) -> bytes:
    doc = orjson.loads(raw)
    _set_path(
        doc, data.draw(st.sampled_from(JSON_FIELDS)), data.draw(st.sampled_from(HOSTILE_VALUES))
    )
    return orjson.dumps(doc)


def json_drop_field(data: st.DataObject, raw: bytes) -> bytes:
    doc = orjson.loads(raw)
    _del_path(doc, data.draw(st.sampled_from(JSON_FIELDS)))
    return orjson.dumps(doc)


def json_duplicate_key(data: st.DataObject, raw: bytes) -> bytes:
    """A second occurrence of a key (the last one wins in most parsers)."""
    key = data.draw(st.sampled_from(JSON_FIELDS[:11]))
    value = orjson.dumps(data.draw(st.sampled_from(HOSTILE_VALUES)))
    body = raw.rstrip()
    return body[:-1] + b',"' + key.encode() + b'":' + value + b"}" if body.endswith(b"}") else raw


def json_raw_number(data: st.DataObject, raw: bytes) -> bytes:
    """Amounts as JSON numbers no decoder should trust: 1e999, 400 digits, NaN literals."""
    number = data.draw(st.sampled_from(RAW_JSON_NUMBERS))
    return re.sub(rb'"amount":"[^"]*"', b'"amount":' + number, raw, count=1)


def json_deep_nesting(data: st.DataObject, raw: bytes) -> bytes:
    depth = data.draw(st.sampled_from([10, 127, 128, 129, 255, 256, 1024, 100_000]))
    opener, closer = data.draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    nested = opener * depth + b"1" + closer * depth
    key = data.draw(st.sampled_from([*JSON_FIELDS[:11], "extra"]))
    body = raw.rstrip()
    return body[:-1] + b',"' + key.encode() + b'":' + nested + b"}"


def json_batch(data: st.DataObject, raw: bytes) -> bytes:
    """Batches: empty, a mix of good and bad items, non-objects."""
    others = data.draw(st.lists(st.sampled_from([*JSON_SAMPLES, b"1", b"null", b'"x"', b"{}"])))
    items = [raw, *others] if data.draw(st.booleans()) else others
    return b"[" + b",".join(items) + b"]"


def json_escapes(data: st.DataObject, raw: bytes) -> bytes:
    """Escapes inside strings: lone surrogates, NUL, broken \\u sequences."""
    escape = data.draw(
        st.sampled_from([b"\\ud800", b"\\udfff\\ud800", b"\\u0000", b"\\u12", b"\\x41"])
    )
    return raw.replace(b'"name":"', b'"name":"' + escape, 1)


JSON_MUTATORS: list[Mutator] = [
    json_set_field,
    json_set_field,
    json_drop_field,
    json_duplicate_key,
    json_raw_number,
    json_deep_nesting,
    json_batch,
    json_escapes,
]

# --------------------------------------------------------------------------- XML mutations

_LEAF = re.compile(rb"<([A-Za-z][\w.-]*)((?:\s[^<>]*)?)>([^<]*)</\1>")
_START = re.compile(rb"<([A-Za-z][\w.-]*)(?:\s[^<>]*)?>")
HOSTILE_TEXT = [s.encode() for s in HOSTILE_AMOUNTS + HOSTILE_TIMES] + [
    b"&amp;",
    b"&#0;",
    b"&#x1F;",
    b"&#xD800;",
    b"&#1114112;",
    b"&xxe;",
    b"&lt;Nm&gt;",
    b"<![CDATA[<Nm>x</Nm>]]>",
    b"NOTPROVIDED",
    b"AAAAAAAAAAAAAAAA",
    b"x" * 5000,
    b"\xe2\x80\xae",
]
NAMESPACES = [
    b"pacs.008.001.07",
    b"pacs.008.001.08",
    b"pacs.008.001.10",  # no XSD: parsed unvalidated
    b"pacs.008.001.12",
    b"pacs.009.001.08",
    b"pacs.009.001.11",
    b"pacs.008.002.08",
    b"pacs.002.001.10",
    b"pain.001.001.09",
    b"pacs.008",
]
PROLOGS = [
    b'<?xml version="1.0" encoding="UTF-8"?>\n',
    b'<?xml version="1.0" encoding="UTF-16"?>\n',
    b'<?xml version="1.1"?>\n',
    b"\xef\xbb\xbf",
    b"<!-- urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08 -->",
    b'<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/x.xsl"?>',
    b'<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/x.dtd">',
    b'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>',
    b'<!doctype Document [<!entity % p SYSTEM "file:///etc/hostname"> %p;]>',
    b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
]


def _elements(raw: bytes) -> list[re.Match[bytes]]:
    return list(_START.finditer(raw))


def _element_span(raw: bytes, start: re.Match[bytes]) -> tuple[int, int]:
    """Start and end of the element opened at `start` (first matching end tag)."""
    end_tag = b"</" + start.group(1) + b">"
    end = raw.find(end_tag, start.end())
    return start.start(), (len(raw) if end < 0 else end + len(end_tag))


def xml_leaf_value(data: st.DataObject, raw: bytes) -> bytes:
    leaves = list(_LEAF.finditer(raw))
    if not leaves:
        return raw
    leaf = data.draw(st.sampled_from(leaves))
    value = data.draw(
        st.sampled_from(HOSTILE_TEXT) | st.text(max_size=40).map(lambda t: escape(t).encode())
    )
    return raw[: leaf.start(3)] + value + raw[leaf.end(3) :]


def xml_attribute(data: st.DataObject, raw: bytes) -> bytes:
    value = data.draw(st.sampled_from([b"", b"usd", b"EUR", b"IQD", b"USDX", b"U&amp;D", b"US"]))
    return re.sub(rb'Ccy="[^"]*"', b'Ccy="' + value + b'"', raw, count=1)


def xml_drop_element(data: st.DataObject, raw: bytes) -> bytes:
    starts = _elements(raw)
    if not starts:
        return raw
    begin, end = _element_span(raw, data.draw(st.sampled_from(starts)))
    return raw[:begin] + raw[end:]


def xml_duplicate_element(data: st.DataObject, raw: bytes) -> bytes:
    starts = _elements(raw)
    if not starts:
        return raw
    begin, end = _element_span(raw, data.draw(st.sampled_from(starts)))
    copies = data.draw(st.sampled_from([1, 2, 50]))
    return raw[:end] + raw[begin:end] * copies + raw[end:]


def xml_namespace(data: st.DataObject, raw: bytes) -> bytes:
    ns = data.draw(st.sampled_from(NAMESPACES))
    return re.sub(rb"pacs\.00[89]\.\d{3}\.\d{2}", ns, raw)


def xml_prolog(data: st.DataObject, raw: bytes) -> bytes:
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw)
    return data.draw(st.sampled_from(PROLOGS)) + body


def xml_deep_nesting(data: st.DataObject, raw: bytes) -> bytes:
    starts = _elements(raw)
    if not starts:
        return raw
    at = data.draw(st.sampled_from(starts)).end()
    depth = data.draw(st.sampled_from([10, 255, 256, 300, 20_000]))
    return raw[:at] + b"<Nm>" * depth + b"x" + b"</Nm>" * depth + raw[at:]


def xml_utf16(data: st.DataObject, raw: bytes) -> bytes:
    codec = data.draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1"]))
    return raw.decode("utf-8", "replace").encode(codec, "replace")


XML_MUTATORS: list[Mutator] = [
    xml_leaf_value,
    xml_leaf_value,
    xml_attribute,
    xml_drop_element,
    xml_duplicate_element,
    xml_namespace,
    xml_prolog,
    xml_deep_nesting,
    xml_utf16,
]

# --------------------------------------------------------------------------- MT mutations

_MT_FIELD = re.compile(rb"^:(\d{2}[A-Z]?):", re.M)
_MT_BLOCK = re.compile(rb"\{[0-9A-Z]{1,3}:")
MT_VALUES: dict[bytes, list[bytes]] = {
    b"20": [b"", b" ", b"x" * 200, b"/ROC/", b"NOTPROVIDED"],
    b"32A": [
        b"",
        b"250301USD",
        b"250301USD,",
        b"250301USD0,",
        b"250301USD0,00",
        b"250301USD" + b"9" * 15 + b",99",
        b"250301USD" + b"9" * 15 + b"," + b"9" * 40,
        b"250301USD1" + b"0" * 60 + b",",
        b"250301usd1,00",
        b"250301XXX1,00",
        b"250301EUR1,00",
        b"251399USD1,00",
        b"250230USD1,00",
        b"000000USD1,00",
        b"991231USD1,00",
        b"250301USD1e999",
        b"250301USDNaN",
        b"250301USD-1,00",
        b"250301USD1.00",
    ],
    b"33B": [b"USD", b"USD1e999,", b"usd1,", b"USD" + b"9" * 40 + b","],
    b"50K": [b"", b"/", b"/ACCOUNT", b"1/", b"\n\n", b"/C/\n"],
    b"50F": [b"", b"/", b"1/", b"3/", b"3/XX", b"9/x", b"/ACC\n1/" + b"N" * 33 + b"\n1/MORE"],
    b"59": [b"", b"/", b"/ACC", b"\n", b"/ACC\n"],
    b"52A": [b"", b"/", b"BAD", b"AAAAAAAAAAAA", b"/C/123\n", b"//FW\n", b"/D/\nAIBIIQBA"],
    b"57A": [b"", b"/", b"bofaus3n", b"123456789"],
    b"56A": [b"", b"/X\n", b"XXXXXXXXXXXXXXXX"],
    b"57D": [b"", b"/", b"N" * 35 + b"\n" + b"N" * 35, b"N" * 35],
    b"70": [b"", b"/ROC/", b"/ROC/\n", b"x" * 2000],
    b"72": [b"/INS/", b"/INS/\n//", b"/INS/AIBIIQBA\n//MORE", b"//X"],
}
ANY_FIELD_VALUES = [b"", b"\n", b"-}", b"{", b"}", b"$", b":20:", b"\n:\n", b"x" * 3000]
BLOCK2 = [
    b"I103BOFAUS3NXXXXN",
    b"I202BOFAUS3NXXXXN",
    b"I101BOFAUS3NXXXXN",
    b"I999",
    b"O103",
    b"O1032599251399AIBIIQBAAXXX12345678902503011016N",  # MIR time 25:99, date month 13
    b"O1031016000000AIBIIQBAAXXX12345678902503011016N",
    b"O1039999991231AIBIIQBAAXXX12345678902503011016N",
    b"O2021015250301AIBIIQBAAXXX12345678902503011016N",
    b"",
]
ACK = b"{1:F21AIBIIQBAAXXX0000000000}{4:{177:2503011015}{451:0}}"


def _mt_fields(raw: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end, tag) of every block-4 field: a tag line and its continuation lines."""
    starts = list(_MT_FIELD.finditer(raw))
    out = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else raw.find(b"-}", match.end())
        out.append((match.start(), end if end >= 0 else len(raw), match.group(1)))
    return out


def mt_field_value(data: st.DataObject, raw: bytes) -> bytes:
    fields = _mt_fields(raw)
    if not fields:
        return raw
    start, end, tag = data.draw(st.sampled_from(fields))
    values = MT_VALUES.get(tag, []) + ANY_FIELD_VALUES
    value = data.draw(st.sampled_from(values) | st.text(max_size=40).map(str.encode))
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    return raw[:start] + b":" + tag + b":" + value + newline + raw[end:]


def mt_drop_field(data: st.DataObject, raw: bytes) -> bytes:
    fields = _mt_fields(raw)
    if not fields:
        return raw
    start, end, _ = data.draw(st.sampled_from(fields))
    return raw[:start] + raw[end:]


def mt_duplicate_field(data: st.DataObject, raw: bytes) -> bytes:
    fields = _mt_fields(raw)
    if not fields:
        return raw
    start, end, _ = data.draw(st.sampled_from(fields))
    at = data.draw(st.sampled_from(fields))[0]
    return raw[:at] + raw[start:end] + raw[at:]


def mt_add_field(data: st.DataObject, raw: bytes) -> bytes:
    fields = _mt_fields(raw)
    if not fields:
        return raw
    at = data.draw(st.sampled_from(fields))[0]
    tag = data.draw(st.sampled_from(sorted(MT_VALUES)))
    value = data.draw(st.sampled_from(MT_VALUES[tag]))
    return raw[:at] + b":" + tag + b":" + value + b"\n" + raw[at:]


def mt_block(data: st.DataObject, raw: bytes) -> bytes:
    """Drop, duplicate or rewrite a header block; add an ACK, a COV flag, an RJE separator."""
    blocks = list(_MT_BLOCK.finditer(raw))
    choice = data.draw(st.sampled_from(["drop", "dup", "block2", "ack", "cov", "rje", "unclosed"]))
    if choice == "block2":
        new = data.draw(st.sampled_from(BLOCK2))
        return re.sub(rb"\{2:[^}]*\}", b"{2:" + new + b"}", raw, count=1)
    if choice == "ack":
        return ACK + raw
    if choice == "cov":
        return raw.replace(b"{3:{", b"{3:{119:COV}{", 1) if b"{3:{" in raw else raw
    if choice == "rje":
        return raw + b"\n$" + data.draw(st.sampled_from([b"", raw, b"{", ACK, b"$"]))
    if choice == "unclosed":
        return raw.replace(b"-}", b"", 1)
    if not blocks:
        return raw
    start = data.draw(st.sampled_from(blocks)).start()
    depth, end = 0, start
    for end in range(start, len(raw)):  # end is used after the loop
        depth += {ord("{"): 1, ord("}"): -1}.get(raw[end], 0)
        if depth == 0:
            break
    block = raw[start : end + 1]
    return (
        raw[:start] + raw[end + 1 :]
        if choice == "drop"
        else raw[: end + 1] + block + raw[end + 1 :]
    )


def mt_line_endings(data: st.DataObject, raw: bytes) -> bytes:
    target = data.draw(st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n", b" \n"]))
    return raw.replace(b"\r\n", b"\n").replace(b"\n", target)


MT_MUTATORS: list[Mutator] = [
    mt_field_value,
    mt_field_value,
    mt_drop_field,
    mt_duplicate_field,
    mt_add_field,
    mt_block,
    mt_line_endings,
]

FAMILY_MUTATORS = {"json": JSON_MUTATORS, "xml": XML_MUTATORS, "mt": MT_MUTATORS}


def _mutate(data: st.DataObject, family: str, structural_only: bool) -> tuple[bytes, str | None]:
    raw = data.draw(st.sampled_from(SAMPLES[family]), label="sample")
    ops = FAMILY_MUTATORS[family] if structural_only else FAMILY_MUTATORS[family] + BYTE_MUTATORS
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        op = data.draw(st.sampled_from(ops), label="op")
        try:
            raw = op(data, raw)
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # an earlier mutation broke it
            raw = flip_bits(data, raw)
    # Mostly the format's own content type or none (sniffed); sometimes a wrong one.
    roll = data.draw(st.integers(0, 9), label="ct")
    if roll < 6:
        return raw, NATURAL_TYPE[family]
    return raw, None if roll < 8 else data.draw(content_types)


@FUZZ
@given(st.data())
def test_mutated_json_gets_payments_or_a_precise_reason(data: st.DataObject) -> None:
    check(*_mutate(data, "json", structural_only=data.draw(st.booleans())))


@FUZZ
@given(st.data())
def test_mutated_pacs_with_xsd_gets_payments_or_a_precise_reason(data: st.DataObject) -> None:
    check(*_mutate(data, "xml", structural_only=data.draw(st.booleans())), XSD_DIR)


@FUZZ
@given(st.data())
def test_mutated_pacs_without_xsd_gets_payments_or_a_precise_reason(data: st.DataObject) -> None:
    """Without the XSDs nothing vets the structure first: the parser alone must hold."""
    check(*_mutate(data, "xml", structural_only=data.draw(st.booleans())), NO_XSD)


@FUZZ
@given(st.data())
def test_mutated_mt_gets_payments_or_a_precise_reason(data: st.DataObject) -> None:
    check(*_mutate(data, "mt", structural_only=data.draw(st.booleans())))


# --------------------------------------------------------------------------- generated JSON

_OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "amount": st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats(),
        st.integers(-(2**63), 2**64 - 1),
        st.sampled_from(HOSTILE_AMOUNTS),
        st.text(max_size=20),
    ),
    "created_at": st.one_of(
        st.datetimes(timezones=_OFFSETS).map(datetime.isoformat),
        st.datetimes().map(datetime.isoformat),  # naive
        st.sampled_from(HOSTILE_TIMES),
        st.text(max_size=30),
    ),
    "value_date": st.dates().map(date.isoformat) | st.text(max_size=12),
    "currency": st.sampled_from(["USD", "EUR", "IQD", "IRR", "usd", "US", "USDT"])
    | st.text(max_size=4),
    "payment_id": st.text(max_size=150),
    "uetr": st.none() | st.text(max_size=40),
    "debtor.name": st.text(max_size=60),
    "debtor.account": st.none() | st.text(max_size=40),
    "debtor.country": st.none() | st.text(max_size=3),
    "debtor_agent.bic": st.sampled_from(["AIBIIQBA", "chasus33xxx", "MELIIRTH"])
    | st.text(max_size=12),
    "creditor.name": st.text(max_size=60),
    "creditor_agent.name": st.none() | st.text(max_size=40),
    "intermediary_agents": st.lists(
        st.fixed_dictionaries({}, optional={"bic": st.text(max_size=11), "name": st.text()}),
        max_size=3,
    ),
    "message_type": st.sampled_from(["json", "pacs.008", "mt103", "xml", ""]),
}


@st.composite
def json_payments(draw: st.DrawFn) -> bytes:
    """A synthetic payment whose fields are each kept, replaced by a drawn value or dropped."""
    doc = orjson.loads(draw(st.sampled_from(JSON_SAMPLES)))
    for path, values in FIELD_VALUES.items():
        choice = draw(st.integers(0, 11))
        if choice == 0:
            _del_path(doc, path)
        elif choice <= 3:
            _set_path(doc, path, draw(values))
    return orjson.dumps(doc)


@FUZZ
@given(json_payments(), st.sampled_from([JSON_TYPE, None]))
def test_generated_json_gets_payments_or_a_precise_reason(
    raw: bytes, content_type: str | None
) -> None:
    check(raw, content_type)


@FUZZ
@given(st.lists(json_payments(), min_size=0, max_size=4))
def test_generated_json_batches_get_payments_or_a_precise_reason(items: list[bytes]) -> None:
    check(b"[" + b",".join(items) + b"]", JSON_TYPE)


# --------------------------------------------------------------------------- a megabyte of it

_MT_HEAD = b"{1:F01AIBIIQBAAXXX0000000000}{2:I103BOFAUS3NXXXXN}"


def _fill(head: bytes, unit: bytes, tail: bytes = b"", sep: bytes = b"") -> bytes:
    """head + as many `unit`s as fit in MAX_BYTES + tail: a complete, maximal record."""
    count = (MAX_BYTES - len(head) - len(tail) + len(sep)) // (len(unit) + len(sep))
    return head + sep.join([unit] * count) + tail


MEGABYTES = {
    "mt header blocks": _fill(_MT_HEAD, b"{3:{108:A}}\n", b"{4:\n:20:X\n-}"),
    "mt sub-blocks": _fill(_MT_HEAD + b"{3:", b"{108:A}", b"}{4:\n:20:X\n-}"),
    "mt messages without separators": _fill(b"", _MT),
    "mt messages in rje": _fill(b"", _MT, sep=b"\n$\n"),
    "mt acks": _fill(b"", b"{1:F21AIBIIQBAAXXX0000000000}{4:{177:2503011015}{451:0}}\n", _MT),
    "mt fields": _fill(_MT_HEAD + b"{4:\n", b":72:/INS/AIBIIQBA\n", b"-}"),
    "mt continuation lines": _fill(
        _MT[: _MT.index(b":70:") + 4], b"X\r\n", _MT[_MT.index(b":71A:") - 2 :]
    ),
    "pacs transactions": _PACS_BATCH,
    "xml wide": _fill(
        _PACS[: _PACS.index(b"<CdtTrfTxInf>") + 13], b"<x/>", _PACS[_PACS.index(b"<PmtId>") :]
    ),
    "json batch": _fill(b"[", _JSON, b"]", sep=b","),
}


@pytest.mark.parametrize(
    ("name", "xsd_dir"),
    [(name, XSD_DIR) for name in sorted(MEGABYTES)]
    + [(name, NO_XSD) for name in sorted(MEGABYTES) if name.startswith(("pacs", "xml"))],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_a_megabyte_of_small_structures_is_decoded_in_linear_time(name: str, xsd_dir: Path) -> None:
    """One record may not stall the worker: a quadratic line count once took 17 s for 1 MB.

    Not a benchmark: the bound is ~20x what the slowest case takes here, a correctness limit.
    """
    raw = MEGABYTES[name][:MAX_BYTES]
    started = time.perf_counter()
    outcome = decode_payments(raw, None, MAX_BYTES, xsd_dir)
    elapsed = time.perf_counter() - started
    assert_contract(outcome, raw)
    assert elapsed < 8.0, f"{name}: {elapsed:.1f} s for {len(raw)} bytes"


# --------------------------------------------------------------------------- regressions


def _json_with(**changes: object) -> bytes:
    doc = orjson.loads(_JSON)
    doc.update(changes)
    return orjson.dumps(doc)


def _pacs_with(tag: str, value: str) -> bytes:
    return re.sub(rf"(<{tag}[^>]*>)[^<]*".encode(), rb"\g<1>" + value.encode(), _PACS, count=1)


REGRESSIONS = [
    # 12 bytes of amount whose plain form is a gigabyte: the worker aborted serialising it.
    ("json amount 1E+999999999", _json_with(amount="1E+999999999"), None, "json-schema"),
    ("json amount 1e-999999999", _json_with(amount="1e-999999999"), None, "json-schema"),
    ("json amount 19 digits", _json_with(amount="1" * 19), None, "json-schema"),
    ("json amount 6 decimals", _json_with(amount="0.000001"), None, "json-schema"),
    ("json batch amount", b"[" + _json_with(amount="1e99999") + b"]", None, "json-schema"),
    ("pacs amount no xsd", _pacs_with("IntrBkSttlmAmt", "1E+999999999"), NO_XSD, "payment-invalid"),
    (
        "mt amount 40 decimals",
        _MT.replace(b"9500,00", b"1," + b"0" * 39 + b"1"),
        None,
        "payment-invalid",
    ),
    # Offsets that push the UTC instant out of datetime's range raised OverflowError.
    (
        "json year 9999-05:00",
        _json_with(created_at="9999-12-31T23:59:59-05:00"),
        None,
        "json-schema",
    ),
    ("json year 1+05:00", _json_with(created_at="0001-01-01T00:00:00+05:00"), None, "json-schema"),
    (
        "json batch year 9999",
        b"[" + _json_with(created_at="9999-12-31T23:59:59-05:00") + b"]",
        None,
        "json-schema",
    ),
    (
        "pacs year 9999",
        _pacs_with("CreDtTm", "9999-12-31T23:59:59-05:00"),
        XSD_DIR,
        "payment-invalid",
    ),
    ("pacs year 1", _pacs_with("CreDtTm", "0001-01-01T00:00:00+05:00"), NO_XSD, "payment-invalid"),
    # An empty batch gave no payment and no rejection: the record vanished unscreened.
    ("json empty batch", b"[]", None, "json-schema"),
    ("json empty batch spaced", b" [ ] ", "application/json", "json-schema"),
]


@pytest.mark.parametrize(
    ("raw", "xsd_dir", "reason"),
    [case[1:] for case in REGRESSIONS],
    ids=[case[0] for case in REGRESSIONS],
)
def test_fuzz_findings_get_a_precise_reason(raw: bytes, xsd_dir: Path | None, reason: str) -> None:
    outcome = check(raw, None, xsd_dir)
    assert isinstance(outcome, Rejection)
    assert outcome.reason == reason, outcome


@pytest.mark.parametrize(
    "amount", ["999999999999999999", "0.00001", "1E+17", "12345678901234.5678", "9500.100000"]
)
def test_amounts_an_iso_message_can_carry_still_pass(amount: str) -> None:
    outcome = check(_json_with(amount=amount), None)
    assert isinstance(outcome, list), outcome
    assert outcome[0].amount == Decimal(amount)


def test_naive_timestamps_keep_their_documented_handling() -> None:
    """JSON demands an offset; ISO 20022 allows a local time, read as UTC and flagged."""
    naive = "2025-04-01T09:30:00"
    rejected = check(_json_with(created_at=naive), None)
    assert isinstance(rejected, Rejection) and rejected.reason == "json-schema"
    parsed = check(_pacs_with("CreDtTm", naive), XML_TYPE, XSD_DIR)
    assert isinstance(parsed, list)
    assert parsed[0].created_at == datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
    assert parsed[0].extra["created_at_assumed_utc"] is True


# --------------------------------------------------------------------------- XXE and friends


class _Listener:
    """A local TCP port that records every connection: proof that nothing was fetched."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[_Listener]:
    server = _Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xxe") / "secret.txt"
    path.write_text("DINARWATCH-XXE-MARKER-7f3c9e\n")
    return path


def _hostname() -> str | None:
    try:
        text = Path("/etc/hostname").read_text().strip()
    except OSError:
        return None
    return text if len(text) >= 4 and text.encode() not in _PACS else None


def _attacks(secret: Path, port: int) -> dict[str, bytes]:
    """pacs.008 samples carrying each attack; &x; sits in the debtor's name (Dbtr/Nm)."""
    url = f"http://127.0.0.1:{port}"
    file_url = secret.as_uri()
    body = re.sub(rb"^\s*<\?xml[^>]*\?>\s*", b"", _PACS)
    with_ref = re.sub(rb"(<Dbtr>\s*<Nm>)", rb"\g<1>&x;", body, count=1)
    assert with_ref != body

    def dtd(subset: str, doc: bytes = with_ref) -> bytes:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document {subset}>\n'.encode() + doc
        )

    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    return {
        "file entity": dtd(f'[<!ENTITY x SYSTEM "{file_url}">]'),
        "hostname entity": dtd('[<!ENTITY x SYSTEM "file:///etc/hostname">]'),
        "http entity": dtd(f'[<!ENTITY x SYSTEM "{url}/x">]'),
        "public entity": dtd(f'[<!ENTITY x PUBLIC "-//X//EN" "{url}/p">]'),
        "parameter entity": dtd(f'[<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]'),
        "parameter file entity": dtd(f'[<!ENTITY % p SYSTEM "{file_url}"> %p;]'),
        "external dtd": dtd(f'SYSTEM "{url}/d.dtd"', body),
        "external public dtd": dtd(f'PUBLIC "-//X//DTD X//EN" "{url}/d.dtd"', body),
        "lowercase doctype": dtd(f'[<!entity x SYSTEM "{file_url}">]').replace(
            b"<!DOCTYPE", b"<!doctype"
        ),
        "billion laughs": dtd(f'[{laughs.replace("&x;", "")}<!ENTITY x "&i;">]'),
        "quadratic blowup": dtd(f'[<!ENTITY x "{"A" * 50_000}">]').replace(b"&x;", b"&x;" * 200),
        "utf-16 doctype": dtd(f'[<!ENTITY x SYSTEM "{file_url}">]')
        .replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
        .decode()
        .encode("utf-16"),
        "xinclude file": body.replace(
            b"<Nm>",
            f'<Nm><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{file_url}" '
            'parse="text"/>'.encode(),
            1,
        ),
        "xinclude http": body.replace(
            b"<Nm>",
            f'<Nm><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/i" '
            'parse="text"/>'.encode(),
            1,
        ),
        "schema location": body.replace(
            b"<Document ",
            b'<Document xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            + f'xsi:schemaLocation="urn:x {url}/s.xsd" '.encode()
            + f'xsi:noNamespaceSchemaLocation="{file_url}" '.encode(),
            1,
        ),
        "stylesheet pi": f'<?xml-stylesheet type="text/xsl" href="{url}/s.xsl"?>'.encode() + body,
        "undeclared entity": with_ref,
        "entity in comment": b"<!-- <!DOCTYPE x [<!ENTITY x SYSTEM 'file:///etc/hostname'>]> -->"
        + with_ref.replace(b"&x;", b""),
        "cdata entity": body.replace(b"<Nm>", b"<Nm><![CDATA[&x;]]>", 1),
    }


ATTACK_NAMES = sorted(_attacks(Path("/x"), 1))


@pytest.mark.parametrize("xsd_dir", [XSD_DIR, NO_XSD], ids=["xsd", "no-xsd"])
@pytest.mark.parametrize("content_type", [None, XML_TYPE, "application/xml; type=pacs.008"])
@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_xml_attacks_never_read_a_file_or_the_network(
    attack: str,
    content_type: str | None,
    xsd_dir: Path,
    listener: _Listener,
    secret_file: Path,
) -> None:
    before = listener.connections
    raw = _attacks(secret_file, listener.port)[attack]
    outcome = check(raw, content_type, xsd_dir)
    text = (
        f"{outcome.reason} {outcome.detail}"
        if isinstance(outcome, Rejection)
        else b"".join(dumps(p) for p in outcome).decode()
    )
    assert "DINARWATCH-XXE-MARKER" not in text
    hostname = _hostname()
    assert hostname is None or hostname not in text
    assert "aaaaaaaaaaaaaaaaaaaa" not in text  # no entity was expanded
    if b"DOCTYPE" in raw.upper() and b"<!-- <!DOCTYPE" not in raw:
        assert isinstance(outcome, Rejection) and outcome.reason == "xml-forbidden-dtd", outcome
    if attack == "utf-16 doctype":
        assert isinstance(outcome, Rejection) and outcome.reason == "not-utf8", outcome
    assert listener.connections == before, "the parser opened a network connection"
