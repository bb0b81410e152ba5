"""IRAN-ENERGY: electricity/gas to an Iranian beneficiary; review before the waiver lapsed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.energy import check_iran_energy
from rules.engine import screen_payment
from schemas.common import Action, Severity
from tests.factories import make_payment
from tests.unit.rules.conftest import context

CTX = context()
AT = datetime(2025, 4, 1, 12, tzinfo=UTC)
IRANIAN = {"name": "Iran Power Generation Co", "account": "IR062960000000100324200001"}


def energy(**changes: object) -> dict:  # type: ignore[type-arg]
    return {"purpose_code": "ELEC", "creditor": IRANIAN, "value_date": "2025-04-01", **changes}


def findings(**changes: object) -> list:  # type: ignore[no-untyped-def]
    return check_iran_energy(make_payment(**energy(**changes)), CTX)


def rules_and_decision(**changes: object) -> tuple[set[str], Action]:
    decision = screen_payment(make_payment(**energy(**changes)), CTX, AT)
    return {f.rule for f in decision.findings}, decision.decision


@pytest.mark.parametrize(
    ("value_date", "action", "severity", "waiver"),
    [
        ("2025-03-07", Action.REVIEW, Severity.MEDIUM, "in force"),
        ("2025-03-08", Action.BLOCK, Severity.CRITICAL, "lapsed"),
        ("2025-03-09", Action.BLOCK, Severity.CRITICAL, "lapsed"),
    ],
)
def test_waiver_lapse_boundary_is_exclusive(
    value_date: str, action: Action, severity: Severity, waiver: str
) -> None:
    (found,) = findings(value_date=value_date)
    assert (found.action, found.severity, found.evidence["waiver"]) == (action, severity, waiver)
    assert found.field == "creditor" and found.evidence["energy"] == "purpose_code ELEC"
    assert "2025-03-08" in (found.legal_source or "")
    assert found.entry_id == "jurisdiction-ir" and found.list_version


def test_under_the_waiver_iran_nexus_yields() -> None:
    rules, decision = rules_and_decision(value_date="2025-03-07")
    assert (rules, decision) == ({"IRAN-ENERGY"}, Action.REVIEW)


def test_after_the_lapse_both_rules_block() -> None:
    rules, decision = rules_and_decision(value_date="2025-03-08")
    assert (rules, decision) == ({"IRAN-ENERGY", "IRAN-NEXUS"}, Action.BLOCK)


def test_non_energy_payment_to_iran_is_iran_nexus_only() -> None:
    rules, decision = rules_and_decision(purpose_code="GDDS", value_date="2025-03-07")
    assert (rules, decision) == ({"IRAN-NEXUS"}, Action.BLOCK)


@pytest.mark.parametrize(
    ("purpose", "remittance", "reason"),
    [
        ("GASB", None, "purpose_code GASB"),
        (None, "Payment for electricity imports, March", "keyword electricity"),
        (None, "Natural gas supply contract 12/2024", "keyword natural gas"),
        (None, "دفعة مستحقات الكهرباء", "keyword كهرباء"),
        (None, "قيمة الغاز المستورد", "keyword غاز"),
        (None, "پرداخت برق", "keyword برق"),
    ],
)
def test_energy_by_purpose_code_or_keyword(
    purpose: str | None, remittance: str | None, reason: str
) -> None:
    (found,) = findings(purpose_code=purpose, remittance_info=remittance)
    assert found.evidence["energy"] == reason


def test_energy_to_a_non_iranian_beneficiary_passes() -> None:
    assert findings(creditor={"name": "Gulf Power LLC", "account": "AE070331234567890123456"}) == []


def test_ultimate_creditor_counts() -> None:
    payment = energy(
        creditor={"name": "Trade Bank of Iraq escrow", "account": "IQ98BBAG001234567890123"},
        ultimate_creditor={"name": "Tavanir", "country": "IR"},
    )
    (found,) = check_iran_energy(make_payment(**payment), CTX)
    assert found.field == "ultimate_creditor"


def test_iranian_creditor_agent_makes_the_beneficiary_iranian() -> None:
    payment = energy(
        creditor={"name": "Gas Export Co", "account": "AE070331234567890123456"},
        creditor_agent={"bic": "BKMTIRTH", "name": "Bank Mellat"},
    )
    (found,) = check_iran_energy(make_payment(**payment), CTX)
    assert (found.field, found.entry_id) == ("creditor_agent", "iran-bank-bkmtirth")


def test_iranian_debtor_is_not_a_beneficiary() -> None:
    payment = energy(
        debtor={"name": "Iran Gas Co", "country": "IR"},
        creditor={"name": "Gulf Power LLC", "account": "AE070331234567890123456"},
    )
    assert check_iran_energy(make_payment(**payment), CTX) == []


@pytest.mark.parametrize("currency", ["USD", "IQD", "EUR"])
def test_every_currency(currency: str) -> None:
    assert len(findings(currency=currency)) == 1
