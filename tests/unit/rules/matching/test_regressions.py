"""Regression cases by class: every evasion class of a test deck is caught, and every class of
false positive once seen on clean traffic stays away (tests/data/name_matching/*.yaml).

The evasion cases run against the evaluation index (CBI list + fixture); the false-positive
cases against the full SDN list, where the competition for a name is real (skipped without
../shared/data).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from rules.matching import NameIndex
from rules.matching.names import EXACT_PRIMARY, FUZZY, STRONG_ALIAS
from tests.unit.rules.matching.evalset import (
    DATA,
    SDN_CSV,
    cbi_entries,
    evaluation_index,
    read_sdn,
)
from tests.unit.rules.matching.test_evaluation import default_threshold

NEAR_EXACT = (EXACT_PRIMARY, STRONG_ALIAS)


def _cases(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((DATA / name).read_text("utf-8"))["cases"])


MANIPULATIONS = _cases("manipulations.yaml")
FALSE_POSITIVES = _cases("false_positives.yaml")


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return evaluation_index()


@pytest.fixture(scope="module")
def sdn_index() -> NameIndex:
    if not SDN_CSV.exists():
        pytest.skip("../shared/data is absent")
    return NameIndex([*read_sdn(), *cbi_entries()])


def test_every_manipulation_class_has_cases() -> None:
    classes = {c["class"] for c in MANIPULATIONS}
    assert {
        "cyrillic-lookalike",
        "greek-lookalike",
        "zero-width",
        "soft-hyphen",
        "bidi-control",
        "hyphen-injected",
        "space-injected",
        "spaced-letters",
        "abbreviation",
        "bank-word",
        "swift-cut",
        "transposition",
        "deletion",
        "insertion",
        "duplication",
        "word-order",
        "legal-form",
    } <= classes


@pytest.mark.parametrize(
    "case", MANIPULATIONS, ids=[f"{c['class']}:{c['query']!r}" for c in MANIPULATIONS]
)
def test_manipulated_names_are_caught(index: NameIndex, case: dict[str, Any]) -> None:
    hits = index.search(case["query"], default_threshold(), truncated=case.get("truncated"))
    found = [h for h in hits if h.entry.entry_id == case["expect"]]
    assert found, [(h.entry.entry_id, h.alias, h.score) for h in hits]
    if case.get("strength") == "exact":
        assert found[0].strength in NEAR_EXACT, found[0].evidence()
    elif case.get("strength") == FUZZY:
        assert not found[0].weak


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", FALSE_POSITIVES, ids=[f"{c['class']}:{c['query']!r}" for c in FALSE_POSITIVES]
)
def test_clean_names_stay_clear(sdn_index: NameIndex, case: dict[str, Any]) -> None:
    hits = sdn_index.search(case["query"], default_threshold())
    banned = case["not"]
    wrong = [
        (h.entry.entry_id, h.alias, h.score, h.strength)
        for h in hits
        if banned == "any" or h.entry.entry_id in banned
    ]
    assert wrong == []
