"""Every name-based finding cites the matcher version; BIC/IMO matches do not need it."""

from __future__ import annotations

from rules.engine import screen_payment
from rules.matching import MATCHER_VERSION, matcher_evidence
from tests.factories import make_payment
from tests.unit.rules.conftest import context, small_sdn

EVALUATED = make_payment().created_at


def findings(**changes: object) -> dict[tuple[str, str], dict[str, str]]:
    ctx = context(None, small_sdn())
    decision = screen_payment(make_payment(**changes), ctx, EVALUATED)
    return {(f.rule, f.match_method or ""): f.evidence for f in decision.findings}


def test_helper_cites_only_name_methods() -> None:
    assert matcher_evidence("name") == {"matcher": MATCHER_VERSION}
    assert matcher_evidence("name-context") == {"matcher": MATCHER_VERSION}
    assert matcher_evidence("bic") == {} and matcher_evidence(None) == {}


def test_cbi_name_match_cites_matcher_and_bic_match_does_not() -> None:
    by_name = findings(debtor_agent={"name": "Ashur International Bank for Investment"})
    assert by_name[("CBI-USD-BAN", "name")]["matcher"] == MATCHER_VERSION
    by_bic = findings(debtor_agent={"bic": "ELAFIQBA"})
    assert "matcher" not in by_bic[("CBI-USD-BAN", "bic")]


def test_sdn_militia_and_iran_name_matches_cite_matcher() -> None:
    found = findings(
        creditor={"name": "Kata'ib Hizballah", "account": "AE070331234567890123456"},
        creditor_agent={"name": "Bank Mellat"},
    )
    for rule in ("OFAC-SDN", "MILITIA-FRONT", "IRAN-NEXUS"):
        cited = [e for (r, _), e in found.items() if r == rule]
        assert cited and all(e.get("matcher") == MATCHER_VERSION for e in cited), (rule, found)


def test_vessel_name_match_cites_matcher() -> None:
    found = findings(remittance_info="freight for tanker ARTAVIL")
    (evidence,) = [e for (r, m), e in found.items() if r == "OIL-VESSEL"]
    assert evidence["matcher"] == MATCHER_VERSION
