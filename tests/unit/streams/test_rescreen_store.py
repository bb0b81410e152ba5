"""streams/rescreen_store.py: a stored payment is re-screened once per (rule, entry)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from lists.files import load_rule_pack
from rules.engine import screen_payment
from rules.lists.delta import list_delta
from rules.rescreen import DeltaScreen, probe_form
from schemas.codec import dumps
from streams.rescreen_store import (
    encode_stored,
    probe_header,
    rescreen_record,
    stored_headers,
)
from tests.factories import make_payment
from tests.unit.rules.conftest import context, small_sdn

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def stored(creditor: str) -> bytes:
    payment = make_payment(creditor={"name": creditor})
    decision = screen_payment(payment, context(), NOW)  # screened without the SDN list
    return encode_stored(dumps(payment), decision)


def test_record_keeps_payment_and_original_decision() -> None:
    record = orjson.loads(stored("Gulf Horizon Trading LLC"))
    assert record["payment"]["creditor"]["name"] == "Gulf Horizon Trading LLC"
    assert record["decision"] == "pass" and record["alerted"] == []
    # Bank Mellat is on the built-in Iranian banks list: that alert is remembered.
    blocked = orjson.loads(stored("BANK MELLAT"))
    assert blocked["decision"] == "block"
    assert blocked["alerted"] == ["IRAN-NEXUS|iran-bank-bkmtirth"]


def test_a_hit_is_found_once_then_its_updated_record_raises_nothing() -> None:
    delta = DeltaScreen.build(load_rule_pack(), list_delta(None, small_sdn()), date(2026, 12, 6))
    hit = rescreen_record(delta, stored("BANK MELLAT"), NOW)
    assert hit is not None
    assert {(f.rule, f.entry_id) for f in hit.findings} == {("OFAC-SDN", "ofac-sdn-25019")}
    assert orjson.loads(hit.updated())["alerted"] == [
        "IRAN-NEXUS|iran-bank-bkmtirth",
        "OFAC-SDN|ofac-sdn-25019",
    ]
    assert rescreen_record(delta, hit.updated(), NOW) is None
    assert rescreen_record(delta, stored("Gulf Horizon Trading LLC"), NOW) is None


def test_the_probe_header_decides_without_decoding_and_old_records_still_work() -> None:
    delta = DeltaScreen.build(load_rule_pack(), list_delta(None, small_sdn()), date(2026, 12, 6))
    payment = make_payment(creditor={"name": "BANK MELLAT"})
    headers = stored_headers(dumps(payment))
    assert probe_header(headers) == probe_form(orjson.loads(dumps(payment)))
    value = stored("BANK MELLAT")
    with_header = rescreen_record(delta, value, NOW, headers)
    without = rescreen_record(delta, value, NOW)  # a record stored before the header
    assert with_header is not None and without is not None
    assert with_header.findings == without.findings
    assert with_header.headers == without.headers == headers  # written again with the update
    assert rescreen_record(delta, with_header.updated(), NOW, with_header.headers) is None
    # The header is what the probe reads: a record it rejects is never decoded.
    clean = stored_headers(dumps(make_payment(creditor={"name": "Gulf Horizon Trading LLC"})))
    assert rescreen_record(delta, b"not json", NOW, clean) is None
    assert delta.probe.candidates == 3


def test_a_string_holding_a_separator_gets_no_header() -> None:
    payment = make_payment(remittance_info="goods\x1eref")
    assert stored_headers(dumps(payment)) == []
