"""CBI-USD-BAN: chain positions, BIC and name matching, date edges, currency scope."""

from datetime import UTC, datetime

import pytest

from lists.files import default_context, load_cbi_usd_ban
from rules.cbi import check_cbi_usd_ban
from rules.engine import screen_payment
from schemas.common import Action
from tests.factories import make_payment
from tests.unit.rules.conftest import CHAIN_POSITIONS, at_position, chain_field

CTX = default_context()
ASHUR = {"bic": "AIBIIQBA", "name": "Ashur International Bank for Investment"}


def findings(**changes: object) -> list:
    return check_cbi_usd_ban(make_payment(**changes), CTX)


def test_every_batch_is_loaded_with_dates_and_sources() -> None:
    barred = load_cbi_usd_ban()
    dates = sorted({str(e.listed_from) for e in barred})
    assert dates == ["2022-11-01", "2023-07-19", "2024-02-04", "2025-02-16"]
    assert sum(e.listed_from.isoformat() == "2023-07-19" for e in barred) == 14
    assert sum(e.listed_from.isoformat() == "2024-02-04" for e in barred) == 8
    assert sum(e.listed_from.isoformat() == "2025-02-16" for e in barred) == 8
    assert all(e.legal_source and e.source_urls for e in barred)
    assert barred.version.startswith("2025-02-16+")


def test_clean_payment_passes() -> None:
    assert findings() == []


@pytest.mark.parametrize("position", CHAIN_POSITIONS)
def test_every_chain_position_is_screened(position: str) -> None:
    found = findings(**at_position(position, ASHUR))
    assert [f.entry_id for f in found] == ["cbi-2024-02-04-ashur"]
    expected_field = chain_field(position)
    assert found[0].field == expected_field


def test_bank_as_a_party_is_screened() -> None:
    found = findings(creditor={"name": "Al-Huda Bank", "bic": "BHDAIQBA"})
    assert {(f.field, f.entry_id) for f in found} == {("creditor", "cbi-2024-02-04-al-huda")}


def test_match_by_bic11_uses_the_bic8() -> None:
    found = findings(creditor_agent={"bic": "AIBIIQBAXXX"})
    assert found[0].match_method == "bic"
    assert found[0].score == 1.0


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Assyria International Investment Bank", "cbi-2024-02-04-ashur"),
        ("ASSUR INTL BANK", "cbi-2024-02-04-ashur"),
        ("Southern Islamic Bank", "cbi-2024-02-04-janoob"),
        ("Al Janoob Islamic Bank for Investment & Finance", "cbi-2024-02-04-janoob"),
        ("Arab Islamic Bank", "cbi-2024-02-04-arabia"),
        ("Al-Arabiya Islamic Bank", "cbi-2024-02-04-arabia"),
        ("Huda Bank", "cbi-2024-02-04-al-huda"),
    ],
)
def test_name_variants_match(name: str, entry: str) -> None:
    found = findings(creditor_agent={"name": name})
    assert [f.entry_id for f in found] == [entry]
    assert found[0].match_method == "name"
    assert name in found[0].explanation


@pytest.mark.parametrize(
    "name",
    [
        "Trade Bank of Iraq",
        "Al Rafidain Bank",
        "Rasheed Bank",
        "Bank of Baghdad",
        "Iraqi Islamic Bank for Investment and Development",
        "National Bank of Iraq",
        "Cihan Bank for Islamic Investment and Finance",
        "Kurdistan International Bank",
        "Gulf Commercial Bank",
        "Arab Bank PLC",
        "Mashreqbank PSC",
    ],
)
def test_legitimate_banks_sharing_words_do_not_match(name: str) -> None:
    assert findings(creditor_agent={"name": name}) == []


def test_other_currencies_pass() -> None:
    assert findings(currency="IQD", debtor_agent=ASHUR) == []
    assert findings(currency="EUR", debtor_agent=ASHUR) == []


@pytest.mark.parametrize(
    ("value_date", "barred"),
    [("2024-02-03", False), ("2024-02-04", True), ("2024-02-05", True)],
)
def test_listing_date_edge(value_date: str, barred: bool) -> None:
    assert bool(findings(value_date=value_date, debtor_agent=ASHUR)) is barred


@pytest.mark.parametrize(("value_date", "barred"), [("2025-02-15", False), ("2025-02-16", True)])
def test_2025_batch_edge(value_date: str, barred: bool) -> None:
    misk = {"name": "Misk Islamic Bank"}
    assert bool(findings(value_date=value_date, creditor_agent=misk)) is barred


def test_finding_carries_its_evidence() -> None:
    (finding,) = findings(debtor_agent=ASHUR)
    assert finding.rule == "CBI-USD-BAN"
    assert finding.action is Action.BLOCK
    assert finding.severity.value == "critical"
    assert finding.list_name == "cbi-usd-ban"
    assert finding.list_version == CTX.lists.versions()["cbi-usd-ban"]
    assert "2024-02-04" in finding.legal_source
    assert str(finding.listed_from) == "2024-02-04"
    assert "AIBIIQBA" in finding.explanation


def test_decision_is_block_and_cites_versions() -> None:
    at = datetime(2025, 4, 1, 10, tzinfo=UTC)
    decision = screen_payment(make_payment(debtor_agent=ASHUR), CTX, at)
    assert decision.decision is Action.BLOCK
    assert decision.rule_pack == "iraq"
    assert decision.list_versions["cbi-usd-ban"] == CTX.lists.versions()["cbi-usd-ban"]
    again = screen_payment(make_payment(debtor_agent=ASHUR), CTX, at)
    assert again.model_dump_json() == decision.model_dump_json()
