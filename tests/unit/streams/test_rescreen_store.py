"""streams/rescreen_store.py: a stored payment is re-screened once per (rule, entry)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from rules.engine import screen_payment
from rules.lists.delta import list_delta
from rules.rescreen import DeltaScreen
from schemas.codec import dumps
from streams.list_files import load_rule_pack
from streams.rescreen_store import encode_stored, rescreen_record
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
