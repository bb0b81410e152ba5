"""rules/rescreen.py: the probe never drops a payment the delta would hit, and the delta's
findings are the core's own, as of the re-screening day, without what already alerted."""

from __future__ import annotations

import random
import tracemalloc
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from lists.files import load_rule_pack
from rules.listmatch import text_windows
from rules.lists.base import ReferenceList
from rules.lists.delta import list_delta
from rules.lists.ofac import OfacLoad
from rules.mentions import name_spans
from rules.rescreen import PARTIES, DeltaScreen, alert_key, probe_form, screened_strings
from schemas.codec import dumps
from schemas.payment import Payment
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
    "name between numbers": make_payment(remittance_info="INV 20331 KATAIB HIZBALLAH 4471 cement"),
    "name after a party marker": make_payment(
        remittance_info="PAYMENT ON BEHALF OF BANK MELLAT INV 2231"
    ),
    "unknown field": make_payment(related_party="Bank Mellat"),
    "unknown field of an agent": make_payment(
        creditor_agent={"name": "Some Bank", "bic": "ABCDAEAD", "branch": "Bank Mellat"}
    ),
    "agent's address as one string": make_payment(
        creditor_agent={"name": "Some Bank", "bic": "ABCDAEAD", "address": "c/o Bank Mellat"}
    ),
}


def touched(rescreen: DeltaScreen, payment: Payment) -> bool:
    """The probe's verdict on the stored JSON, which must be its verdict on the probe form
    the store writes beside it."""
    doc = as_stored(payment)
    by_doc = rescreen.probe.payment_touches(doc)
    form = probe_form(doc)
    assert form is not None
    assert rescreen.probe.form_touches(form) == by_doc
    return by_doc


@pytest.mark.parametrize("case", sorted(HITS))
def test_probe_passes_every_payment_the_delta_hits(case: str) -> None:
    rescreen = screen(list_delta(None, small_sdn()))
    payment = HITS[case]
    findings = rescreen.findings(payment, NOW)
    assert findings, f"{case}: the core finds nothing (the case is not a hit)"
    assert touched(rescreen, payment)
    assert all(f.entry_id in rescreen.entry_ids for f in findings)


def test_probe_form_with_the_parties_memo_is_the_same_string() -> None:
    """The worker remembers each party's probe strings; what it stores must not change."""
    memo: dict[Any, Any] = {}
    docs = [as_stored(p) for p in HITS.values()] * 2 + [
        as_stored(make_payment(creditor={"name": "A\x1eB", "account": "IQ1"}))
    ]
    for doc in docs:
        assert probe_form(doc, memo) == probe_form(doc)
    assert probe_form(docs[-1], memo) is None  # a separator inside a party: the slow way
    assert memo and all(key[0] in PARTIES for key in memo)  # only parties and agents kept


def test_the_parties_memo_holds_each_party_in_about_its_own_size() -> None:
    """The worker keeps up to PARTY_FORMS_SIZE parties: a key that pinned a serialiser's
    whole write buffer (orjson's bytes keep 4 KiB whatever their length) made this memo the
    largest part of a worker's memory."""
    docs = [as_stored(make_payment(debtor=party(f"Customer {i} Trading"))) for i in range(400)]
    memo: dict[Any, Any] = {}
    tracemalloc.start()
    try:
        for doc in docs:
            probe_form(doc, memo)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_entry = held / len(memo)
    assert len(memo) >= 400  # each debtor is new
    assert per_entry < 1024, f"{per_entry:.0f} bytes held per remembered party"


def test_probe_skips_a_payment_with_nothing_of_the_delta() -> None:
    rescreen = screen(list_delta(None, small_sdn()))
    clean = make_payment()
    assert rescreen.findings(clean, NOW) == []
    assert not touched(rescreen, clean)
    numbered = make_payment(remittance_info="INV 20331 BANK 4471 cement", debtor=party("20"))
    assert rescreen.findings(numbered, NOW) == []
    assert not touched(rescreen, numbered)


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
        remittance_info="INV 22 goods",
    )
    strings = dict(screened_strings(doc))
    assert strings[f"{'A' * 35} BC TRADING"] == strings[f"{'A' * 35}BC TRADING"] == "name"
    assert strings["A" * 35] == "name"  # searched whole
    assert strings["Bank of Baghdad"] == "agent-name"  # searched as a bank
    assert strings["BC TRADING\nBaghdad"] == "text"  # address lines joined, as the core reads
    assert strings["remark"] == "extra" and strings["x"] == "extra"  # unknown fields
    assert strings["INV 22 goods"] == "text"  # free text, never a name on its own
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
    hits = text_hits = skipped = 0
    for i, picked in enumerate([*chosen * 4, *others]):
        name = _bend(rng, rng.choice(picked.names))
        payment = make_payment(payment_id=f"P{i}", creditor=party(name), remittance_info=name)
        passed = touched(rescreen, payment)
        if rescreen.findings(payment, NOW):
            hits += 1
            assert passed, f"probe dropped a hit: {name!r}"
        elif not passed:
            skipped += 1
        # The name only in free text: between invoice numbers, after a party marker, on an
        # address line, in an unknown field.
        text = rng.choice([f"INV {rng.randrange(10**6)} {name} {i:05d} goods", f"c/o {name}"])
        where = rng.choice(["remittance", "address", "extra"])
        if where == "remittance":
            payment = make_payment(payment_id=f"T{i}", remittance_info=text)
        elif where == "address":
            address = ["Unit 4, Street 12", text, "Baghdad"]
            payment = make_payment(
                payment_id=f"T{i}", debtor=party("Trading House", address=address)
            )
        else:
            payment = make_payment(payment_id=f"T{i}", related_party={"name": name, "ref": text})
        passed = touched(rescreen, payment)
        if rescreen.findings(payment, NOW):
            text_hits += 1
            assert passed, f"probe dropped a hit in free text: {text!r}"
        elif not passed:
            skipped += 1
    assert hits >= 100 and text_hits >= 50
    assert skipped >= 700


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


@pytest.mark.parametrize(
    "text",
    [
        "INV 40229 flour INV-00000048",
        "Goods 20 pcs 3 lots for 12/2026 ref 881-2",
        "ON BEHALF OF AL 313 TRADING INV 22",
        "A1B 9 9 9 C 12 D",
        "line 1 2026\n35 chars long line ending in 123456",
    ],
)
def test_masking_numbers_keeps_the_windows_and_the_spans(text: str) -> None:
    """The windows' verdict is remembered by the text with its numbers masked: the masked
    text must give the same windows, and spans exactly when the text gives spans."""
    probe = screen(list_delta(None, small_sdn())).probe
    masked = probe.masked(text)
    assert masked != text or not any(ch.isdigit() for ch in text)
    assert text_windows(masked, 12) == text_windows(text, 12)
    assert bool(name_spans(masked)) == bool(name_spans(text))
