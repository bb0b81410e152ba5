"""The backtest's arithmetic on small hand-made cases whose answers are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import InputError
from lists.files import default_context
from offline.replay.backtest import (
    Backtest,
    Label,
    PackScore,
    differences,
    pack_names,
    precision,
    recall,
)
from offline.replay.labels import read_labels
from offline.replay.runner import BacktestPlan, CandidatePack

A, B, C = "CBI-USD-BAN", "USD-STRUCTURING", "OFAC-SDN"


def label(*rules: str, decision: str | None = None) -> Label:
    return Label(frozenset(rules), decision)


def test_precision_and_recall_are_undefined_not_zero_without_a_denominator() -> None:
    assert precision(3, 1) == 0.75 and recall(3, 1) == 0.75
    assert precision(0, 0) is None and recall(0, 0) is None
    assert precision(0, 4) == 0.0 and recall(0, 2) == 0.0
    assert precision(2, 1) == 0.666667  # rounded to 6 places: stable JSON


def test_pack_score_counts_pairs_of_payment_and_rule() -> None:
    score = PackScore()
    score.add(frozenset({A}), label(A))  # A: tp
    score.add(frozenset({A, B}), label(A))  # A: tp, B: fp
    score.add(frozenset(), label(B))  # B: fn
    score.add(frozenset({C}), label(B))  # C: fp, B: fn
    score.add(frozenset(), label())  # clean, nothing raised: no pair at all
    doc = score.as_json()
    assert doc["rules"][A] == {
        "alerts": 2,
        "tp": 2,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "unlabelled_alerts": 0,
    }
    assert (doc["rules"][B]["tp"], doc["rules"][B]["fp"], doc["rules"][B]["fn"]) == (0, 1, 2)
    assert doc["rules"][B]["precision"] == 0.0 and doc["rules"][B]["recall"] == 0.0
    assert doc["rules"][C]["recall"] is None and doc["rules"][C]["precision"] == 0.0
    overall = doc["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"], overall["alerts"]) == (2, 2, 2, 4)
    assert overall["precision"] == 0.5 and overall["recall"] == 0.5
    assert overall["payments_labelled"] == 5 and overall["payments_unlabelled"] == 0
    assert overall["payments_exact"] == 2  # the first payment and the clean one


def test_a_payment_without_a_label_is_counted_apart() -> None:
    score = PackScore()
    score.add(frozenset({A}), None)
    score.add(frozenset(), None)
    score.add(frozenset({A}), label(A))
    doc = score.as_json()
    assert doc["rules"][A]["alerts"] == 2 and doc["rules"][A]["unlabelled_alerts"] == 1
    assert (doc["rules"][A]["tp"], doc["rules"][A]["fp"]) == (1, 0)  # never guessed
    assert doc["overall"]["payments_unlabelled"] == 2 and doc["overall"]["payments_labelled"] == 1


def test_false_blocks_need_a_stated_decision_that_is_not_block() -> None:
    score = PackScore()
    score.add(frozenset({A}), label(A, decision="block"), "block")
    score.add(frozenset({A}), label(decision="pass"), "block")  # a false block
    score.add(frozenset({B}), label(decision="review"), "block")  # a false block
    score.add(frozenset({A}), label(), "block")  # no decision stated: not judged
    assert score.false_blocks == 2


def test_differences_name_the_packs_on_each_side() -> None:
    raised = {"default": frozenset({A, B}), "strict": frozenset({A, C}), "loose": frozenset({A})}
    found = differences("P-1", raised, label(B))
    assert [(d.rule, d.raised_by, d.not_raised_by, d.expected) for d in found] == [
        (C, ("strict",), ("default", "loose"), False),  # rules in order: OFAC-SDN < USD-...
        (B, ("default",), ("strict", "loose"), True),
    ]
    assert differences("P-2", {"a": frozenset({A}), "b": frozenset({A})}, None) == []
    (unlabelled,) = differences("P-3", {"a": frozenset({A}), "b": frozenset()}, None)
    assert unlabelled.expected is None and unlabelled.as_json()["raised_by"] == ["a"]


def test_backtest_over_payments_and_packs() -> None:
    labels = {"P1": label(B), "P2": label(), "P3": label(B), "GONE": label(A)}
    backtest = Backtest(["default", "lower"], labels)
    backtest.add("P1", {"default": frozenset({B}), "lower": frozenset({B})})
    backtest.add("P2", {"default": frozenset(), "lower": frozenset({B})})
    backtest.add("P3", {"default": frozenset({B}), "lower": frozenset()})
    backtest.add("NEW", {"default": frozenset({A}), "lower": frozenset({A})})
    doc = backtest.as_json()
    default, lower = doc["packs"]["default"]["rules"][B], doc["packs"]["lower"]["rules"][B]
    assert (default["tp"], default["fp"], default["fn"]) == (2, 0, 0)
    assert (lower["tp"], lower["fp"], lower["fn"]) == (1, 1, 1)
    assert lower["precision"] == 0.5 and lower["recall"] == 0.5
    assert doc["packs"]["default"]["rules"][A]["unlabelled_alerts"] == 1
    assert doc["labels_not_screened"] == 1  # GONE
    assert [(d["payment_id"], d["raised_by"], d["expected"]) for d in doc["diff"]] == [
        ("P2", ["lower"], False),
        ("P3", ["default"], True),
    ]
    assert doc["diff_summary"] == {"default": {B: 1}, "lower": {B: 1}}


def test_one_pack_has_no_differences() -> None:
    backtest = Backtest(["default"], None)
    backtest.add("P1", {"default": frozenset({A})})
    doc = backtest.as_json()
    assert doc["diff"] == [] and doc["labels_not_screened"] == 0
    assert doc["packs"]["default"]["rules"][A]["unlabelled_alerts"] == 1


@pytest.mark.parametrize(
    ("paths", "names"),
    [
        ([None], ["default"]),
        ([None, "packs/lower.yml"], ["default", "lower"]),
        (["a/candidate.yml", "b/candidate.yaml"], ["a/candidate", "b/candidate"]),
        (["x/a.yml", "a.yml"], ["x/a", "a"]),
        (["same.yml", "same.yml"], ["same", "same#2"]),
        (["default.yml", None], ["default", "default#2"]),
    ],
)
def test_pack_names_are_stems_told_apart(paths: list[str | None], names: list[str]) -> None:
    assert pack_names(paths) == names


def test_labels_file_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "labels.jsonl"
    good.write_text(
        '{"payment_id":"P1","expected_rules":["CBI-USD-BAN"],"expected_decision":"block"}\n'
        "\n"
        '{"payment_id":"P2","expected_rules":[],"expected_decision":null,"malformed":"bad-json"}\n'
    )
    found = read_labels(good)
    assert found.labels == {"P1": label(A, decision="block"), "P2": label()}
    assert found.describe()["labels"] == 2 and found.malformed == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"payment_id":"P1","expected_rules":["A"]}\n{"payment_id":"P2"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: expected_rules"):
        read_labels(bad)
    twice = tmp_path / "twice.jsonl"
    twice.write_text(
        '{"payment_id":"P1","expected_rules":["A"]}\n{"payment_id":"P1","expected_rules":[]}\n'
    )
    with pytest.raises(InputError, match="labelled twice"):
        read_labels(twice)


def test_candidate_alerts_files_never_collide() -> None:
    ctx = default_context()
    names = ["a/cand", "a_cand", "cand#2", "alerts"]
    plan = BacktestPlan("default", tuple(CandidatePack(n, ctx) for n in names))
    files = plan.alerts_files()
    assert files == [
        "alerts-a_cand.jsonl",
        "alerts-a_cand-2.jsonl",
        "alerts-cand_2.jsonl",
        "alerts-alerts.jsonl",
    ]
