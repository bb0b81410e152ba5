"""OFAC-SDN: agents and parties by BIC and name, programs, severity, currency, evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.engine import screen_payment
from rules.sdn import check_ofac_sdn, check_un_sanctions
from schemas.common import Action, Severity
from tests.factories import make_payment
from tests.unit.rules.conftest import (
    CHAIN_POSITIONS,
    assert_full_evidence,
    at_position,
    chain_field,
    context,
    pack_with,
    small_sdn,
)

SDN = small_sdn()
CTX = context(None, SDN)
MELLAT = {"bic": "BKMTIRTH", "name": "Bank Mellat"}
AT = datetime(2025, 4, 1, 12, tzinfo=UTC)


def findings(ctx=CTX, **changes: object) -> list:  # type: ignore[no-untyped-def]
    return check_ofac_sdn(make_payment(**changes), ctx)


def test_clean_payment_passes() -> None:
    assert findings() == []


def test_without_the_sdn_file_the_rule_is_silent() -> None:
    assert check_ofac_sdn(make_payment(debtor_agent=MELLAT), context()) == []


@pytest.mark.parametrize("position", CHAIN_POSITIONS)
def test_every_chain_position_by_bic(position: str) -> None:
    (found,) = findings(**at_position(position, MELLAT))
    assert found.field == chain_field(position)
    assert (found.entry_id, found.match_method, found.score) == ("ofac-sdn-25019", "bic", 1.0)
    assert found.severity is Severity.CRITICAL  # IRAN/IFSR programs
    assert found.action is Action.BLOCK
    assert_full_evidence(found)
    assert found.list_version == SDN.version and found.listed_from is None


def test_bic11_is_compared_on_its_bic8() -> None:
    (found,) = findings(creditor_agent={"bic": "BKMTIRTHXXX"})
    assert found.matched == "BKMTIRTHXXX" and found.entry_id == "ofac-sdn-25019"


@pytest.mark.parametrize("position", ["debtor", "creditor", "ultimate_debtor", "ultimate_creditor"])
def test_every_party_position_by_name(position: str) -> None:
    (found,) = findings(**{position: {"name": "Kata'ib Hizballah"}})
    assert (found.field, found.entry_id, found.match_method) == (position, "ofac-sdn-11462", "name")
    assert found.severity is Severity.HIGH  # FTO/SDGT/IRAQ3: not an Iran program
    assert found.evidence["programs"] == "FTO/SDGT/IRAQ3"
    assert_full_evidence(found)


def test_alias_from_remarks_matches() -> None:
    # Brigades is the English of Kata'ib: the quoted a.k.a. and the primary name read alike.
    (found,) = findings(creditor={"name": "Hizballah Brigades"})
    assert found.entry_id == "ofac-sdn-11462"
    assert found.evidence["listed_as"] in ("HIZBALLAH BRIGADES", "KATA'IB HIZBALLAH")


def test_a_name_only_hit_on_a_person_is_a_review() -> None:
    (found,) = findings(creditor={"name": "Hamad Al-Moussawi"})
    assert found.entry_id == "ofac-sdn-47348"
    assert found.action is Action.REVIEW
    assert "confirm identity" in found.explanation


def test_agents_are_not_matched_against_individuals() -> None:
    assert findings(creditor_agent={"name": "Hamad Al-Moussawi"}) == []


def test_vessels_are_left_to_oil_vessel() -> None:
    assert findings(creditor={"name": "Artavil"}) == []


def test_configured_programs_limit_the_screening() -> None:
    cuba_only = context(pack_with("OFAC-SDN", programs=["CUBA"]), SDN)
    assert findings(cuba_only, debtor_agent=MELLAT) == []
    (found,) = findings(cuba_only, creditor={"name": "Banco Nacional de Cuba"})
    assert found.entry_id == "ofac-sdn-306" and found.severity is Severity.HIGH


def test_iran_wildcard_programs_are_critical() -> None:
    assert findings(debtor_agent=MELLAT)[0].severity is Severity.CRITICAL
    calm = context(pack_with("OFAC-SDN", critical_programs=[]), SDN)
    assert findings(calm, debtor_agent=MELLAT)[0].severity is Severity.HIGH


@pytest.mark.parametrize("currency", ["USD", "IQD", "EUR"])
def test_every_currency_by_default(currency: str) -> None:
    assert len(findings(currency=currency, debtor_agent=MELLAT)) == 1


def test_currency_scope_from_the_pack() -> None:
    usd_only = context(pack_with("OFAC-SDN", currencies=["USD"]), SDN)
    assert findings(usd_only, currency="IQD", debtor_agent=MELLAT) == []
    assert len(findings(usd_only, currency="USD", debtor_agent=MELLAT)) == 1


def test_sdn_entries_have_no_dates_so_they_apply_to_old_payments() -> None:
    assert len(findings(value_date="1999-01-04", debtor_agent=MELLAT)) == 1


def test_threshold_from_the_pack() -> None:
    strict = context(pack_with("OFAC-SDN", score_threshold=1.0), SDN)
    assert findings(strict, creditor={"name": "Kataib Hizbollah Trading"}) == []


def test_disabled_rule_is_silent() -> None:
    off = context(pack_with("OFAC-SDN", enabled=False), SDN)
    assert findings(off, debtor_agent=MELLAT) == []


def test_same_input_same_bytes() -> None:
    payment = make_payment(debtor_agent=MELLAT, creditor={"name": "Kata'ib Hizballah"})
    first = screen_payment(payment, CTX, AT).model_dump_json()
    assert first == screen_payment(payment, context(None, small_sdn()), AT).model_dump_json()


def test_un_rule_is_silent_without_the_un_file() -> None:
    assert check_un_sanctions(make_payment(creditor={"name": "Kata'ib Hizballah"}), CTX) == []


# --- against the full SDN list ------------------------------------------------------------------


def test_real_sdn_bank_mellat_by_bic(sdn_ctx) -> None:  # type: ignore[no-untyped-def]
    found = check_ofac_sdn(make_payment(intermediary_agents=[MELLAT]), sdn_ctx)
    assert [(f.entry_id, f.match_method) for f in found] == [("ofac-sdn-25019", "bic")]


def test_real_sdn_al_bilad_raises_sdn_and_militia(sdn_ctx) -> None:  # type: ignore[no-untyped-def]
    payment = make_payment(debtor_agent={"bic": "AIIFIQBA", "name": "Al-Bilad Islamic Bank"})
    decision = screen_payment(payment, sdn_ctx, AT)
    rules = {(f.rule, f.entry_id) for f in decision.findings}
    assert ("OFAC-SDN", "ofac-sdn-24545") in rules
    assert ("MILITIA-FRONT", "militia-bank-al-bilad-islamic") in rules
    assert decision.decision is Action.BLOCK


def test_real_sdn_clean_payment_passes(sdn_ctx) -> None:  # type: ignore[no-untyped-def]
    assert screen_payment(make_payment(), sdn_ctx, AT).findings == []
