"""MILITIA-FRONT: militias, fronts and facilitators by name (incl. Arabic) and BIC, as of date."""

from __future__ import annotations

import pytest

from rules.militia import check_militia_front
from schemas.common import Action, Severity
from tests.factories import make_payment
from tests.unit.rules.conftest import (
    CHAIN_POSITIONS,
    assert_full_evidence,
    at_position,
    context,
    pack_with,
)

CTX = context()


def findings(ctx=CTX, **changes: object) -> list:  # type: ignore[no-untyped-def]
    return check_militia_front(make_payment(**changes), ctx)


def test_clean_payment_passes() -> None:
    assert findings() == []


@pytest.mark.parametrize(
    ("name", "entry", "listed"),
    [
        ("Kata'ib Hizballah", "militia-kataib-hizballah", "2009-07-02"),
        ("Asa'ib Ahl al-Haq", "militia-asaib-ahl-al-haq", "2020-01-10"),
        ("Harakat al-Nujaba", "militia-harakat-al-nujaba", "2019-03-05"),
        ("Kata'ib Sayyid al-Shuhada", "militia-kataib-sayyid-al-shuhada", "2023-11-17"),
    ],
)
def test_designation_date_edges(name: str, entry: str, listed: str) -> None:
    from datetime import date, timedelta

    day = date.fromisoformat(listed)
    before = findings(value_date=str(day - timedelta(days=1)), creditor={"name": name})
    (on,) = findings(value_date=listed, creditor={"name": name})
    (after,) = findings(value_date=str(day + timedelta(days=1)), creditor={"name": name})
    assert before == []
    assert on.entry_id == after.entry_id == entry
    assert str(on.listed_from) == listed
    assert_full_evidence(on)
    assert (on.action, on.severity) == (Action.BLOCK, Severity.CRITICAL)


@pytest.mark.parametrize(
    ("arabic", "entry"),
    [
        ("كتائب حزب الله", "militia-kataib-hizballah"),
        ("عصائب أهل الحق", "militia-asaib-ahl-al-haq"),
        ("حركة النجباء", "militia-harakat-al-nujaba"),
        ("كتائب سيد الشهداء", "militia-kataib-sayyid-al-shuhada"),
    ],
)
def test_arabic_script_names(arabic: str, entry: str) -> None:
    (found,) = findings(creditor={"name": arabic})
    assert (found.entry_id, found.match_method) == (entry, "name")


@pytest.mark.parametrize("position", ["debtor", "creditor", "ultimate_debtor", "ultimate_creditor"])
def test_every_party_position(position: str) -> None:
    (found,) = findings(**{position: {"name": "Hizballah Brigades"}})
    assert (found.field, found.entry_id) == (position, "militia-kataib-hizballah")


@pytest.mark.parametrize("position", CHAIN_POSITIONS)
def test_al_bilad_islamic_bank_in_every_chain_position(position: str) -> None:
    bilad = {"bic": "AIIFIQBA"}
    (found,) = findings(**at_position(position, bilad))
    assert (found.entry_id, found.match_method) == ("militia-bank-al-bilad-islamic", "bic")


def test_al_bilad_date_edges() -> None:
    assert findings(value_date="2018-05-14", debtor_agent={"bic": "AIIFIQBA"}) == []
    assert len(findings(value_date="2018-05-15", debtor_agent={"bic": "AIIFIQBA"})) == 1


def test_front_company_listed_later() -> None:
    company = {"name": "Muhandis General Company"}
    assert findings(value_date="2025-10-08", creditor=company) == []
    (found,) = findings(value_date="2025-10-09", creditor=company)
    assert found.entry_id == "militia-front-muhandis-general-company"
    assert "medium" in found.evidence["date_confidence"]


@pytest.mark.parametrize("currency", ["USD", "IQD", "EUR"])
def test_every_currency(currency: str) -> None:
    assert len(findings(currency=currency, creditor={"name": "Kata'ib Hizballah"})) == 1


def test_agents_can_be_left_out_by_the_pack() -> None:
    parties_only = context(pack_with("MILITIA-FRONT", screen_agents=False))
    assert findings(parties_only, debtor_agent={"bic": "AIIFIQBA"}) == []
