"""IRAN-NEXUS: Iranian location by iran-banks BIC, BIC country, IBAN, country field and address."""

from __future__ import annotations

import pytest

from rules.iran import check_iran_nexus, mentions
from schemas.common import Action, Severity
from tests.factories import make_payment
from tests.unit.rules.conftest import CHAIN_POSITIONS, at_position, chain_field, context, pack_with

CTX = context()
IR_IBAN = "IR062960000000100324200001"


def findings(ctx=CTX, **changes: object) -> list:  # type: ignore[no-untyped-def]
    return check_iran_nexus(make_payment(**changes), ctx)


def test_clean_payment_passes() -> None:
    assert findings() == []


@pytest.mark.parametrize("position", CHAIN_POSITIONS)
def test_listed_iranian_bank_in_every_chain_position(position: str) -> None:
    sepah = {"bic": "SEPBIRTH", "name": "Bank Sepah"}
    (found,) = findings(**at_position(position, sepah))
    assert found.field == chain_field(position)
    assert (found.entry_id, found.list_name, found.match_method) == (
        "iran-bank-sepbirth",
        "iran-banks",
        "bic",
    )
    assert "bic-country SEPBIRTH" in found.evidence["signals"]
    assert (found.action, found.severity) == (Action.BLOCK, Severity.CRITICAL)
    assert found.list_version and "25580" in (found.legal_source or "")


def test_bank_markazi_is_the_central_bank_not_melli() -> None:
    (found,) = findings(creditor_agent={"bic": "BMJIIRTH"})
    assert found.entry_id == "iran-bank-bmjiirth" and "MARKAZI" in (found.entry_name or "")


@pytest.mark.parametrize(
    ("bic", "entry"), [("RCDFIQBA", "iran-bank-rcdfiqba"), ("MELIGB2LXXX", "iran-bank-meligb2l")]
)
def test_iranian_owned_banks_abroad(bic: str, entry: str) -> None:
    (found,) = findings(intermediary_agents=[{"bic": bic}])
    assert (found.entry_id, found.match_method) == (entry, "bic")


def test_unlisted_iranian_bic_by_its_country_letters() -> None:
    (found,) = findings(creditor_agent={"bic": "XYZBIRTH", "name": "Some Iranian Bank"})
    assert (found.match_method, found.entry_id) == ("bic-country", "jurisdiction-ir")
    assert "31 CFR part 560" in (found.legal_source or "")


def test_agent_without_bic_by_iranian_bank_name() -> None:
    (found,) = findings(creditor_agent={"name": "Bank Melli Iran"})
    assert (found.entry_id, found.match_method) == ("iran-bank-meliirth", "name")


def test_agent_with_its_own_bic_is_not_renamed_into_an_iranian_bank() -> None:
    assert findings(debtor_agent={"bic": "COBIIQBA", "name": "Commercial Bank of Iraq"}) == []


@pytest.mark.parametrize("position", ["debtor", "creditor", "ultimate_debtor", "ultimate_creditor"])
def test_party_with_iranian_iban_in_every_position(position: str) -> None:
    (found,) = findings(**{position: {"name": "Pars Trading", "account": IR_IBAN}})
    assert (found.field, found.match_method, found.score) == (position, "iban", 1.0)
    assert "country IR" in found.evidence["signals"]


def test_iranian_iban_with_bad_checksum_still_counts_weaker() -> None:
    (found,) = findings(creditor={"name": "Pars Trading", "account": "IR000000000000000000000000"})
    assert (found.match_method, found.score) == ("iban-prefix", 0.8)


def test_party_country_field() -> None:
    (found,) = findings(creditor={"name": "Pars Trading", "country": "IR"})
    assert found.match_method == "country"


@pytest.mark.parametrize(
    "address",
    [
        ["Valiasr Street", "Tehran"],
        ["No. 5, Imam Reza St", "MASHHAD"],
        ["شارع ولي العصر، طهران"],
        ["خیابان ولیعصر، تهران"],
        ["Isfahan, Islamic Republic of Iran"],
        ["بإيران"],
    ],
)
def test_address_in_iran_in_latin_arabic_and_persian(address: list[str]) -> None:
    (found,) = findings(creditor={"name": "Pars Trading", "address": address})
    assert (found.match_method, found.score) == ("address", 0.9)


@pytest.mark.parametrize(
    "address", [["Karrada, Baghdad", "Iraq"], ["Iranian Street 4"], ["Qomra Road"]]
)
def test_addresses_outside_iran_pass(address: list[str]) -> None:
    assert findings(creditor={"name": "Babel Trading", "address": address}) == []


@pytest.mark.parametrize("currency", ["USD", "IQD", "EUR"])
def test_every_currency(currency: str) -> None:
    assert len(findings(currency=currency, creditor_agent={"bic": "SEPBIRTH"})) == 1


def test_jurisdictions_come_from_the_pack() -> None:
    none = context(pack_with("IRAN-NEXUS", jurisdictions=[]))
    assert findings(none, creditor_agent={"bic": "XYZBIRTH"}) == []


def test_mentions_is_word_bounded_and_arabic_takes_clitics_and_the_adjective_only() -> None:
    assert mentions(["Tehran"], ["tehran"]) == "tehran"
    assert mentions(["Tehranpars Co"], ["tehran"]) is None
    assert mentions(["الطهراني"], ["طهران"]) == "طهران"
    assert mentions(["بطهران"], ["طهران"]) == "طهران"
    # Al-Mashhadani is an Iraqi family name, not a place in Mashhad.
    assert mentions(["c/o علي المشهداني"], ["مشهد"]) is None
    assert mentions(["شارع مشهد"], ["مشهد"]) == "مشهد"
