"""The helpers both parsers share: empty values dropped in order, a BIC's country, a bank as a
party."""

from __future__ import annotations

from schemas.parsers.canonical import (
    AgentFields,
    PartyFields,
    bic_country,
    compact,
    institution_as_party,
)


def test_compact_drops_empty_values_and_keeps_the_order() -> None:
    party: PartyFields = {"field": "59", "name": "X", "account": None, "address": [], "bic": ""}
    assert list(compact(party).items()) == [("field", "59"), ("name", "X")]


def test_compact_can_keep_empty_text() -> None:
    bank: AgentFields = {"role": None, "clearing_id": "", "bic": "AIBIIQBA", "address": []}
    assert compact(bank, keep_empty_text=True) == {"clearing_id": "", "bic": "AIBIIQBA"}


def test_bic_country() -> None:
    assert bic_country("AIBIIQBAXXX") == "IQ"
    assert bic_country("melIirth") == "IR"
    assert bic_country("ABCD12XX") is None
    assert bic_country("ABCDE") is None
    assert bic_country(None) is None


def test_a_bank_as_a_party_is_named_by_its_bic_when_unnamed() -> None:
    bank: AgentFields = {"bic": "EBILAEAD", "address": ["DUBAI"]}
    assert institution_as_party(bank, "AE07033") == {
        "name": "EBILAEAD",
        "bic": "EBILAEAD",
        "account": "AE07033",
        "country": "AE",
        "address": ["DUBAI"],
    }
    named: AgentFields = {"name": "SOME BANK", "country": "JO"}
    party = institution_as_party(named, None)
    assert (party["name"], party["country"], party["bic"]) == ("SOME BANK", "JO", None)
