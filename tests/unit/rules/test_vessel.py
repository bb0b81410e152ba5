"""OIL-VESSEL: IMO numbers and vessel names in remittance information and party names."""

from __future__ import annotations

import pytest

from rules.vessel import check_oil_vessel, imo_check_digit_ok
from tests.factories import make_payment
from tests.unit.rules.conftest import assert_full_evidence, context, small_sdn

CTX = context(None, small_sdn())


def hits(text: str | None = None, **changes: object) -> list[tuple[str, str, str, float]]:
    found = check_oil_vessel(make_payment(remittance_info=text, **changes), CTX)
    return [(f.field, f.entry_id or "", f.match_method or "", f.score) for f in found]


@pytest.mark.parametrize(
    ("number", "ok"), [("9187629", True), ("9187655", True), ("9187628", False), ("918762", False)]
)
def test_imo_check_digit(number: str, ok: bool) -> None:
    assert imo_check_digit_ok(number) is ok


@pytest.mark.parametrize("text", ["Freight IMO 9187629 Basra", "imo no. 9187629", "IMO:9187629"])
def test_labelled_imo(text: str) -> None:
    assert hits(text) == [("remittance_info", "ofac-sdn-15036", "imo", 1.0)]


def test_bare_seven_digits_with_valid_check_digit() -> None:
    assert hits("demurrage 9187629 Jan") == [
        ("remittance_info", "ofac-sdn-15036", "imo-unlabelled", 0.95)
    ]


@pytest.mark.parametrize(
    "text", ["invoice 91876290", "ref 19187629", "IQ9187629 account", "9187628"]
)
def test_numbers_that_are_not_a_listed_imo(text: str) -> None:
    assert hits(text) == []


@pytest.mark.parametrize(
    "text", ["cargo on MV ARTAVIL", "M/T Artavil discharge", "tanker Artavil", "vessel: artavil"]
)
def test_one_word_name_needs_vessel_context(text: str) -> None:
    assert hits(text) == [("remittance_info", "ofac-sdn-15036", "name-context", 0.95)]


def test_former_name_with_context() -> None:
    assert hits("charter of M/T ALPHA") == [
        ("remittance_info", "ofac-sdn-15036", "name-context", 0.95)
    ]


@pytest.mark.parametrize("text", ["Artavil", "Alpha Trading invoice 4", "alpha and omega"])
def test_one_word_name_without_context_passes(text: str) -> None:
    assert hits(text) == []


def test_two_word_name_as_exact_phrase() -> None:
    assert hits("bunkers for Ark III, Fujairah") == [
        ("remittance_info", "ofac-sdn-15037", "name-phrase", 0.9)
    ]
    assert hits("Noah's Ark 3") == []


@pytest.mark.parametrize("position", ["debtor", "creditor", "ultimate_debtor", "ultimate_creditor"])
def test_party_names(position: str) -> None:
    assert hits(**{position: {"name": "MT Artavil"}}) == [
        (position, "ofac-sdn-15036", "name-context", 0.95)
    ]


def test_evidence_is_complete() -> None:
    (found,) = check_oil_vessel(make_payment(remittance_info="IMO 9187629"), CTX)
    assert_full_evidence(found)
    assert found.evidence["imo_numbers"] == "9187629"


def test_without_sdn_list_the_rule_is_silent() -> None:
    assert check_oil_vessel(make_payment(remittance_info="IMO 9187629"), context()) == []


def test_real_sdn_vessel(sdn_ctx) -> None:  # type: ignore[no-untyped-def]
    found = check_oil_vessel(make_payment(remittance_info="Freight for IMO 9187629"), sdn_ctx)
    assert [f.entry_id for f in found] == ["ofac-sdn-15036"]
