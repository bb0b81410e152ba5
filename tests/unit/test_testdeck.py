"""The test-deck generator (bench/testdeck) makes every class, and each manipulation does what
its name says. No recall figures here: bench/bench_testdeck.py measures those."""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from itertools import pairwise

import pytest
from schwifty import IBAN

from bench.testdeck import manipulations as m
from bench.testdeck.corpus import corpus_names
from bench.testdeck.deck import ALL_CLASSES, DeckCase, build_deck
from bench.testdeck.screening import full_context, list_entries
from bench.testdeck.sources import (
    BIC_DIRECTORY,
    SDN_LIST,
    Linkage,
    Target,
    builtin_targets,
)
from generator import directory as generator_pools
from generator.planting import payment_name
from schemas.listentry import ListEntry

SDN_PERSON = ListEntry.model_validate(
    {
        "entry_id": f"{SDN_LIST}-99001",
        "list": SDN_LIST,
        "kind": "individual",
        "names": ["AL-TESTI, Abdulrahman Hussein"],
        "legal_source": "test",
    }
)
SDN_FIRM = ListEntry.model_validate(
    {
        "entry_id": f"{SDN_LIST}-99002",
        "list": SDN_LIST,
        "kind": "entity",
        "names": ["GOLDEN CRESCENT PETROLEUM TRADING AND SHIPPING INTERNATIONAL LLC"],
        "legal_source": "test",
    }
)


@pytest.fixture(scope="module")
def deck() -> dict[str, list[DeckCase]]:
    if not all(p.exists() for p in BIC_DIRECTORY.values()):
        pytest.skip("shared BIC directory not found (expected ../shared/data/bic)")
    lists = dict(list_entries(full_context(with_ofac=False, with_un=False)))
    lists[SDN_LIST] = (SDN_PERSON, SDN_FIRM)
    targets = builtin_targets(lists) + [
        Target(e, SDN_LIST, payment_name(e)) for e in (SDN_PERSON, SDN_FIRM)
    ]
    by_class: dict[str, list[DeckCase]] = defaultdict(list)
    for case in build_deck(targets, Linkage(lists), seed=3):
        by_class[case.manipulation].append(case)
    return by_class


def test_every_class_is_generated(deck: dict[str, list[DeckCase]]) -> None:
    assert sorted(c for c in ALL_CLASSES if not deck.get(c)) == []


def test_deck_is_deterministic(deck: dict[str, list[DeckCase]]) -> None:
    lists = dict(list_entries(full_context(with_ofac=False, with_un=False)))
    again = {c.case_id: c for c in build_deck(builtin_targets(lists), Linkage(lists), seed=3)}
    for cases in deck.values():
        for case in cases:
            if case.list_name != SDN_LIST:
                assert again[case.case_id].payment == case.payment


def test_every_case_expects_its_own_list_rule(deck: dict[str, list[DeckCase]]) -> None:
    for cases in deck.values():
        for case in cases:
            assert case.primary_rule in case.expected_rules
            assert case.payment.currency == "USD"


def _words_with(text: str, chars: tuple[str, ...] | str) -> list[str]:
    return [w for w in text.split(" ") if any(c in w[1:-1] for c in chars)]


def test_invisible_characters_sit_inside_a_word(deck: dict[str, list[DeckCase]]) -> None:
    for cls, chars in (
        ("zero-width", m.ZERO_WIDTH),
        ("soft-hyphen", m.SOFT_HYPHEN),
        ("bidi-control", m.BIDI_CONTROLS),
    ):
        for case in deck[cls]:
            assert _words_with(case.shown, chars), (cls, case.shown)
            assert "".join(ch for ch in case.shown if ch not in chars) == case.entry_name
    assert any("\u200b" in c.shown for c in deck["zero-width"])


def test_lookalikes_are_other_scripts_that_map_back(deck: dict[str, list[DeckCase]]) -> None:
    for cls, table in (("cyrillic-lookalike", m.CYRILLIC), ("greek-lookalike", m.GREEK)):
        back = {v: k for k, v in table.items()}
        script = "CYRILLIC" if cls.startswith("cyrillic") else "GREEK"
        for case in deck[cls]:
            foreign = [ch for ch in case.shown if not ch.isascii()]
            assert foreign and all(unicodedata.name(ch).startswith(script) for ch in foreign)
            assert "".join(back.get(ch, ch) for ch in case.shown) == case.entry_name


def test_spaced_letters_and_injected_breaks(deck: dict[str, list[DeckCase]]) -> None:
    case = next(c for c in deck["spaced-letters"] if c.entry_name == "KATA'IB HIZBALLAH")
    assert case.shown == "KATA'IB H I Z B A L L A H"
    for cls, piece in (("hyphen-injected", "-"), ("space-injected", " ")):
        for case in deck[cls]:
            assert len(case.shown) == len(case.entry_name) + 1
            assert case.shown.replace(piece, "") == case.entry_name.replace(piece, "")


def test_swift_cut_fills_35_characters_and_continues_on_the_next_line(
    deck: dict[str, list[DeckCase]],
) -> None:
    cases = deck["swift-cut"]
    assert any(c.entry_id == SDN_FIRM.entry_id for c in cases)
    for case in cases:
        creditor = case.payment.creditor
        assert len(creditor.name) == m.SWIFT_LINE == 35
        assert len(case.entry_name) > 35
        # The first line is the name's first 35 characters (pydantic strips edge spaces).
        assert case.entry_name.startswith(creditor.name)
        assert (case.entry_name[:35] + case.entry_name[35:]).split() == (
            f"{case.entry_name[:35]}{case.entry_name[35:]}".split()
        )
        assert creditor.address[0] == case.entry_name[35:].strip()


def test_placement_classes_put_the_name_where_they_say(deck: dict[str, list[DeckCase]]) -> None:
    for case in deck["remittance-on-behalf"]:
        assert f"ON BEHALF OF {case.entry_name}" in (case.payment.remittance_info or "")
    for case in deck["address-care-of"]:
        assert case.payment.creditor.address[0] == f"c/o {case.entry_name}"
    for case in deck["unknown-field"]:
        extras = {**case.payment.extra, **case.payment.creditor.extra}
        assert case.entry_name in extras.values()
        assert case.payment.creditor.name != case.entry_name


def test_identifier_classes(deck: dict[str, list[DeckCase]]) -> None:
    for case in deck["iban-bank-code"]:
        iban = IBAN(case.payment.creditor.account or "")
        assert iban.country_code == "IQ" and len(iban.bban) == 19
        assert iban.bank_code == str(iban)[4:8]
        assert case.payment.creditor_agent.bic not in (None, "")
    al_huda = next(c for c in deck["iban-bank-code"] if c.list_name == "fincen-311")
    assert IBAN(al_huda.payment.creditor.account or "").bank_code == "BHDA"
    for case in deck["clearing-id"]:
        agent = case.payment.creditor_agent
        assert agent.bic is None and agent.clearing_id == case.shown
    abroad = {c.shown for c in deck["branch-bic-abroad"]}
    assert {"MELIIQBA", "BKPAIQBA"} <= abroad
    for case in deck["bank-name-unlisted-bic"]:
        assert case.payment.creditor_agent.name == case.entry_name
        assert (case.payment.creditor_agent.bic or "").startswith("QZX")
    iran_as_party = [c for c in deck["bank-as-party"] if c.list_name == "iran-banks"]
    assert iran_as_party and all(c.payment.creditor.name == c.entry_name for c in iran_as_party)
    assert all("IRAN-NEXUS" in c.expected_rules for c in iran_as_party)


def test_sdn_people_are_written_given_name_first(deck: dict[str, list[DeckCase]]) -> None:
    exact = next(c for c in deck["exact"] if c.entry_id == SDN_PERSON.entry_id)
    assert exact.payment.creditor.name == "Abdulrahman Hussein AL-TESTI"
    swapped = next(c for c in deck["word-order"] if c.entry_id == SDN_PERSON.entry_id)
    assert swapped.shown == "AL-TESTI Abdulrahman Hussein"
    assert not [c for c in deck["legal-form"] if c.kind == "individual"]


@pytest.mark.parametrize("seed", range(5))
def test_typo_classes(seed: int) -> None:
    rng = random.Random(seed)
    name = "HARAKAT HEZBOLLAH AL-NUJABA"
    swapped = m.transposition(rng, name)
    assert swapped and swapped != name and sorted(swapped) == sorted(name)
    assert len(m.deletion(rng, name) or "") == len(name) - 1
    assert len(m.insertion(rng, name) or "") == len(name) + 1
    doubled = m.duplication(rng, name) or ""
    assert len(doubled) == len(name) + 1 and any(a == b for a, b in pairwise(doubled))
    assert m.legal_form(rng, "SOME TRADING CO LLC") == "SOME TRADING CO"
    assert (m.legal_form(rng, name) or "").startswith(f"{name} ")
    assert m.abbreviation(rng, "IRAN ZAMIN BANK") in ("IRAN ZAMIN Bk", "IRAN ZAMIN Bk.")
    assert m.bank_word(rng, "BANK SEPAH") in {f"{v} SEPAH" for v in m.BANK_VARIANTS}
    assert m.bank_word(rng, "ASA'IB AHL AL-HAQ") is None
    assert m.swift_cut("SHORT NAME") is None


def test_clean_corpus_is_large_and_not_from_the_generator_pools() -> None:
    names = corpus_names(5200, seed=7)
    texts = {n.text for n in names}
    assert len(texts) >= 5000
    assert {n.kind for n in names} == {"person", "company"}
    generated = {
        f"{f} {last}" for f in generator_pools.IRAQI_FIRST for last in generator_pools.IRAQI_LAST
    }
    generated |= {
        f"{s} {t}" for s in generator_pools.COMPANY_STEMS for t in generator_pools.COMPANY_TRADES
    }
    assert not texts & generated


def test_linkage_credits_other_lists_that_hold_the_same_party() -> None:
    un_entry = ListEntry.model_validate(
        {
            "entry_id": "un-1",
            "list": "un-consolidated",
            "kind": "individual",
            "names": ["ABDULRAHMAN HUSSEIN AL-TESTI"],
            "legal_source": "test",
        }
    )
    other = ListEntry.model_validate(
        {
            "entry_id": "un-2",
            "list": "un-consolidated",
            "kind": "individual",
            "names": ["SOMEONE ELSE"],
            "legal_source": "test",
        }
    )
    linkage = Linkage({SDN_LIST: [SDN_PERSON, SDN_FIRM], "un-consolidated": [un_entry, other]})
    person = Target(SDN_PERSON, SDN_LIST, payment_name(SDN_PERSON))
    firm = Target(SDN_FIRM, SDN_LIST, payment_name(SDN_FIRM))
    assert linkage.rules_for(person) == {"OFAC-SDN", "UN-SANCTIONS"}
    assert linkage.rules_for(firm) == {"OFAC-SDN"}
