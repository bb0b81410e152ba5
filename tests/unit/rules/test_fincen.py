"""FINCEN-311: any USD payment via Al-Huda Bank from the final rule's effective date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.engine import screen_payment
from rules.fincen import check_fincen_311
from schemas.common import Action
from tests.factories import make_payment
from tests.unit.rules.conftest import CHAIN_POSITIONS, assert_full_evidence, at_position, context

CTX = context()
HUDA = {"bic": "BHDAIQBA", "name": "Al-Huda Bank"}


def findings(**changes: object) -> list:  # type: ignore[no-untyped-def]
    return check_fincen_311(make_payment(**changes), CTX)


@pytest.mark.parametrize("position", CHAIN_POSITIONS)
def test_every_chain_position(position: str) -> None:
    (found,) = findings(**at_position(position, HUDA))
    assert found.entry_id == "fincen-311-al-huda-bank" and found.action is Action.BLOCK
    assert_full_evidence(found)


def test_bank_as_party_by_name() -> None:
    (found,) = findings(creditor={"name": "Al Huda Bank"})
    assert (found.field, found.match_method) == ("creditor", "name")


@pytest.mark.parametrize(
    ("value_date", "count"),
    [("2024-01-29", 0), ("2024-08-01", 0), ("2024-08-02", 1), ("2024-08-03", 1)],
)
def test_in_force_from_the_final_rule(value_date: str, count: int) -> None:
    assert len(findings(value_date=value_date, debtor_agent=HUDA)) == count


@pytest.mark.parametrize(("currency", "count"), [("USD", 1), ("IQD", 0), ("EUR", 0)])
def test_usd_only(currency: str, count: int) -> None:
    assert len(findings(currency=currency, debtor_agent=HUDA)) == count


def test_cbi_ban_and_311_are_separate_findings() -> None:
    decision = screen_payment(
        make_payment(debtor_agent=HUDA), CTX, datetime(2025, 4, 1, tzinfo=UTC)
    )
    assert {f.rule for f in decision.findings} == {"CBI-USD-BAN", "FINCEN-311"}
