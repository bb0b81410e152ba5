"""The engine: every rule runs, precedence from the pack, a total order of findings."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.engine import STATELESS_RULES, apply_precedence, screen_payment
from schemas.common import Action, Severity
from schemas.decision import Finding
from tests.factories import make_payment
from tests.unit.rules.conftest import context, pack_with, small_sdn

AT = datetime(2025, 4, 1, 12, tzinfo=UTC)


def finding(rule: str, action: Action) -> Finding:
    return Finding(
        rule=rule,
        action=action,
        severity=Severity.HIGH,
        field="creditor",
        matched="x",
        score=1.0,
        explanation="x",
    )


def test_every_rule_is_registered() -> None:
    names = {rule.__name__ for rule in STATELESS_RULES}
    assert {
        "check_cbi_usd_ban",
        "check_fincen_311",
        "check_ofac_sdn",
        "check_iran_nexus",
        "check_iran_energy",
        "check_militia_front",
        "check_oil_vessel",
    } <= names


def test_iran_nexus_yields_only_to_a_review_from_iran_energy() -> None:
    pack = context().pack
    nexus = finding("IRAN-NEXUS", Action.BLOCK)
    assert apply_precedence([nexus, finding("IRAN-ENERGY", Action.REVIEW)], pack) == [
        finding("IRAN-ENERGY", Action.REVIEW)
    ]
    assert len(apply_precedence([nexus, finding("IRAN-ENERGY", Action.BLOCK)], pack)) == 2
    assert apply_precedence([nexus], pack) == [nexus]


def test_precedence_is_pack_data() -> None:
    pack = pack_with("IRAN-NEXUS", yields_to={})
    both = [finding("IRAN-NEXUS", Action.BLOCK), finding("IRAN-ENERGY", Action.REVIEW)]
    assert apply_precedence(both, pack) == both


def test_many_findings_in_a_total_order() -> None:
    ctx = context(None, small_sdn())
    payment = make_payment(
        debtor_agent={"bic": "BHDAIQBA", "name": "Al-Huda Bank"},
        creditor_agent={"bic": "BKMTIRTH", "name": "Bank Mellat"},
        creditor={"name": "Kata'ib Hizballah", "account": "IR062960000000100324200001"},
        remittance_info="freight MV Artavil IMO 9187629",
    )
    decision = screen_payment(payment, ctx, AT)
    keys = [(f.rule, f.field, f.entry_id or "", -f.score) for f in decision.findings]
    assert keys == sorted(keys)
    assert {f.rule for f in decision.findings} == {
        "CBI-USD-BAN",
        "FINCEN-311",
        "OFAC-SDN",
        "IRAN-NEXUS",
        "MILITIA-FRONT",
        "OIL-VESSEL",
    }
    assert decision.decision is Action.BLOCK
    again = screen_payment(payment, context(None, small_sdn()), AT)
    assert again.model_dump_json() == decision.model_dump_json()
