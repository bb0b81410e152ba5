"""IRAN-NEXUS finds Iranian banks in every position: branch BICs abroad, IBAN bank codes,
clearing ids, names of agents with unlisted BICs and of parties, and free text."""

from __future__ import annotations

import pytest

from rules.iran import check_iran_nexus
from schemas.common import Action
from tests.factories import make_payment
from tests.unit.rules.conftest import context, pack_with
from tests.unit.rules.test_listmatch import iq_iban

CTX = context()


def findings(**changes: object) -> list:  # type: ignore[type-arg]
    return check_iran_nexus(make_payment(**changes), CTX)


@pytest.mark.parametrize(
    ("bic", "entry"), [("MELIIQBA", "iran-bank-meliirth"), ("BKPAIQBAXXX", "iran-bank-bkpairth")]
)
def test_baghdad_branch_bic_of_an_iranian_bank_is_blocked(bic: str, entry: str) -> None:
    (found,) = findings(creditor_agent={"bic": bic, "name": "Branch Baghdad"})
    assert (found.entry_id, found.match_method, found.action) == (entry, "bic", Action.BLOCK)
    assert "PeterNotenboom_SwiftCodes_IQ" in found.evidence["list_remarks"]


def test_unlisted_bic_with_bank_mellis_name() -> None:
    (found,) = findings(creditor_agent={"bic": "ZYXWAEAD", "name": "Bank Melli Iran"})
    assert (found.entry_id, found.match_method) == ("iran-bank-meliirth", "name")
    assert found.action is Action.BLOCK  # a near-exact match of the primary name
    assert "melli" in found.evidence["matched_tokens"]


def test_an_iranian_banks_other_name_blocks_on_the_curated_list() -> None:
    # Every name on the built-in Iranian-bank list is the bank's own (aliases_block): "Eftekhar
    # Bank" is ONERBANK ZAO, not an a.k.a. that could be anybody's.
    (found,) = findings(creditor_agent={"bic": "ZYXWAEAD", "name": "Eftekhar Bank"})
    assert (found.entry_id, found.action) == ("iran-bank-hnrbby2x", Action.BLOCK)
    loose = context(pack_with("IRAN-NEXUS", aliases_block=False))
    payment = make_payment(creditor_agent={"bic": "ZYXWAEAD", "name": "Eftekhar Bank"})
    (reviewed,) = [f for f in check_iran_nexus(payment, loose) if f.match_method == "name"]
    assert reviewed.action is Action.REVIEW


def test_unlisted_branch_with_an_iranian_banks_institution_code_is_a_review() -> None:
    (found,) = findings(creditor_agent={"bic": "MELIAEAD", "name": "Dubai Branch"})
    assert (found.match_method, found.action) == ("bic-bank-code", Action.REVIEW)


def test_iranian_bank_as_a_party() -> None:
    (found,) = findings(creditor={"name": "Bank Sepah"})
    assert (found.field, found.entry_id, found.action) == (
        "creditor",
        "iran-bank-sepbirth",
        Action.BLOCK,
    )


def test_iranian_iban_bank_code_names_the_bank() -> None:
    (found,) = findings(creditor={"name": "Ali Rezaei", "account": "IR670170000000108643339000"})
    assert (found.match_method, found.entry_id) == ("iban-bank-code", "iran-bank-meliirth")
    assert found.action is Action.BLOCK


def test_iraqi_iban_at_an_iranian_banks_baghdad_branch() -> None:
    (found,) = findings(creditor={"name": "Karrada Trading", "account": iq_iban("MELI")})
    assert (found.match_method, found.entry_id) == ("iban-bank-code", "iran-bank-meliirth")


def test_clearing_id_with_an_iranian_bank_code() -> None:
    (found,) = findings(intermediary_agents=[{"name": "Correspondent", "clearing_id": "IRISC:015"}])
    assert (found.match_method, found.entry_id) == ("clearing-id", "iran-bank-sepbirth")


def test_iranian_bank_named_in_the_remittance() -> None:
    (found,) = findings(remittance_info="settlement via Bank Tejarat, Tehran")
    assert (found.field, found.entry_id) == ("remittance_info", "iran-bank-btejirth")


def test_iraqi_banks_with_their_bics_are_not_iranian() -> None:
    for bic, name in [
        ("COBIIQBA", "Commercial Bank of Iraq"),
        ("RAFBIQBA", "Al Rafidain Bank"),
        ("NBIQIQBA", "National Bank of Iraq"),
        ("IDBQIQBA", "Iraqi Development Bank"),
    ]:
        assert findings(creditor_agent={"bic": bic, "name": name}) == [], name
        assert findings(creditor_agent={"name": name}) == [], name
        assert findings(creditor={"name": name}) == [], name


def test_a_country_in_the_name_is_a_fact_not_a_spelling() -> None:
    # NATIONAL BANK OF IRAN is Bank Melli's alias; the Iraqi bank of that name is another bank.
    assert findings(debtor_agent={"name": "National Bank of Iraq"}) == []
    (found,) = findings(debtor_agent={"name": "National Bank of Iran"})
    assert found.entry_id == "iran-bank-meliirth"
