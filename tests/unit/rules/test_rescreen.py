"""rules/rescreen.py: the probe never drops a payment the delta would hit, and the delta's
findings are the core's own, as of the re-screening day, without what already alerted."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from rules.lists.base import ReferenceList
from rules.lists.delta import list_delta
from rules.lists.ofac import OfacLoad
from rules.rescreen import DeltaScreen, alert_key, screened_strings
from schemas.codec import dumps
from schemas.payment import Payment
from streams.list_files import load_rule_pack
from tests.factories import make_payment, payment_doc
from tests.unit.rules.conftest import small_sdn

AS_OF = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def as_stored(payment: Payment) -> dict[str, Any]:
    """The payment's JSON as the store holds it."""
    return dict(orjson.loads(dumps(payment)))


def screen(delta: ReferenceList) -> DeltaScreen:
    return DeltaScreen.build(load_rule_pack(), delta, AS_OF)


def party(name: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "account": "AE070331234567890123456", **more}


# Ways a designated party shows up in a payment, each hit by the full screening core.
HITS = {
    "exact name": make_payment(creditor=party("BANK MELLAT")),
    "typo": make_payment(creditor=party("Bank Melat")),
    "spaced letters": make_payment(remittance_info="K A T A I B HIZBALLAH support"),
    "hyphen split": make_payment(creditor=party("Kata-ib Hizballah")),
    "weak alias": make_payment(creditor=party("HIZBALLAH BRIGADES")),
    "person": make_payment(debtor=party("Hamad al-Moussawi")),
    "bic": make_payment(creditor_agent={"bic": "BKMTIRTH", "name": "Some Bank"}),
    "bic in text": make_payment(remittance_info="cover via BKMTIRTH ref 99"),
    "imo in text": make_payment(remittance_info="freight MT ARTAVIL IMO 9187629"),
    "name wrapped over address lines": make_payment(
        debtor=party("Trading House", address=["c/o Kataib", "Hizballah, Baghdad"])
    ),
}


@pytest.mark.parametrize("case", sorted(HITS))
def test_probe_passes_every_payment_the_delta_hits(case: str) -> None:
    rescreen = screen(list_delta(None, small_sdn()))
    payment = HITS[case]
    findings = rescreen.findings(payment, NOW)
    assert findings, f"{case}: the core finds nothing (the case is not a hit)"
    assert rescreen.probe.payment_touches(as_stored(payment))
    assert all(f.entry_id in rescreen.entry_ids for f in findings)


def test_probe_skips_a_payment_with_nothing_of_the_delta() -> None:
    rescreen = screen(list_delta(None, small_sdn()))
    clean = make_payment()
    assert rescreen.findings(clean, NOW) == []
    assert not rescreen.probe.payment_touches(as_stored(clean))


def test_only_delta_entries_are_matched() -> None:
    full = small_sdn()
    old = ReferenceList.build(
        full.name, [e for e in full.entries if e.primary_name != "BANK MELLAT"]
    )
    rescreen = screen(list_delta(old, full))
    assert [e.primary_name for e in rescreen.delta.entries] == ["BANK MELLAT"]
    assert rescreen.findings(HITS["exact name"], NOW)
    assert rescreen.findings(HITS["weak alias"], NOW) == []  # Kata'ib Hizballah: not new


def test_already_alerted_rule_and_entry_is_left_out() -> None:
    rescreen = screen(list_delta(None, small_sdn()))
    payment = HITS["exact name"]
    findings = rescreen.findings(payment, NOW)
    done = frozenset(alert_key(f.rule, f.entry_id) for f in findings)
    assert rescreen.findings(payment, NOW, already=done) == []


def test_entry_listed_after_the_value_date_is_found_as_retro() -> None:
    """Live screening uses the lists as of the value date; re-screening as of today finds
    an entry designated since, and marks the finding retro."""
    full = small_sdn()
    listed = [
        e.model_copy(update={"listed_from": date(2026, 12, 1)})
        if e.primary_name == "BANK MELLAT"
        else e
        for e in full.entries
    ]
    delta = ReferenceList.build(full.name, listed, published=date(2026, 12, 1))
    payment = make_payment(creditor=party("BANK MELLAT"), value_date="2026-11-28")
    found = screen(delta).findings(payment, NOW)
    assert found and all(f.retro and f.listed_from == date(2026, 12, 1) for f in found)


def test_continued_names_and_unknown_fields_are_read() -> None:
    doc = payment_doc(
        creditor={"name": "A" * 35, "address": ["BC TRADING", "Baghdad"], "note": "x"},
        extra_field={"deep": ["remark"]},
    )
    strings = dict(screened_strings(doc))
    assert strings[f"{'A' * 35} BC TRADING"] == strings[f"{'A' * 35}BC TRADING"] == "name"
    assert strings["A" * 35] == "name"  # searched whole
    assert strings["Bank of Baghdad"] == "agent-name"  # searched as a bank
    assert strings["BC TRADING\nBaghdad"] == "text"  # address lines joined, as the core reads
    assert strings["remark"] == "text" and strings["x"] == "text"  # unknown fields: free text
    assert strings["BABIIQBA"] == "code" and strings["IQ98BBAG001234567890123"] == "code"
    assert doc["payment_id"] not in strings and doc["amount"] not in strings


def test_probe_is_sound_on_typed_variants_of_real_sdn_names(sdn_2024: OfacLoad) -> None:
    """Fifty real SDN entries as the delta; payments naming them with typing errors, dropped
    or swapped words, and names of other entries: every payment the core hits passes the probe,
    and most payments naming no delta entry are skipped."""
    rng = random.Random(16)
    entries = [e for e in sdn_2024.reference.entries if e.kind != "vessel"]
    chosen = rng.sample(entries, 50)
    delta = ReferenceList.build("ofac-sdn", chosen)
    rescreen = screen(delta)
    others = rng.sample(entries, 400)
    hits = skipped = 0
    for i, picked in enumerate([*chosen * 4, *others]):
        name = _bend(rng, rng.choice(picked.names))
        payment = make_payment(payment_id=f"P{i}", creditor=party(name), remittance_info=name)
        touched = rescreen.probe.payment_touches(as_stored(payment))
        if rescreen.findings(payment, NOW):
            hits += 1
            assert touched, f"probe dropped a hit: {name!r}"
        elif not touched:
            skipped += 1
    assert hits >= 100
    assert skipped >= 300


def _bend(rng: random.Random, name: str) -> str:
    words = name.split()
    roll = rng.random()
    if roll < 0.3 and len(name) > 5:
        at = rng.randrange(1, len(name) - 1)
        return name[:at] + name[at + 1 :]  # a dropped letter
    if roll < 0.5 and len(words) > 2:
        words.pop(rng.randrange(len(words)))
    elif roll < 0.6 and len(words) > 1:
        words.reverse()
    return " ".join(words)
