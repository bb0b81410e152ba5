"""Backtesting a replay on generated traffic with its labels, and the auditor's report.html.

The generator changes; these tests hold whatever it plants: the backtest's figures are checked
against the alerts and labels files recomputed here, not against counts of a given generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest

from lists.files import default_context, load_rule_pack
from offline.replay.backtest import pack_names
from offline.replay.labels import read_labels
from offline.replay.report import BankRow, merge_banks
from offline.replay.runner import (
    BacktestPlan,
    CandidatePack,
    ReplayParams,
    ReplayResult,
    run_replay,
)
from offline.replay.sources import FileSource
from tests.unit.offline.replay.feeds import feed_records, payment_line, write_feed

CTX = default_context()
STRUCTURING = "USD-STRUCTURING"
BAD_LINE = b"not a payment at all\n"
SCORE_KEYS = {"tp", "fp", "fn", "precision", "recall", "alerts", "unlabelled_alerts"}


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def pairs(path: Path) -> set[tuple[str, str]]:
    """(payment, rule) of every alert of an alerts file."""
    return {(a["payment"]["payment_id"], a["rule"]) for a in lines(path)}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A generated feed with one unreadable line, its labels less the first ten (unlabelled
    payments), and a pack whose structuring threshold is doubled."""
    folder = tmp_path_factory.mktemp("backtest")
    records = feed_records(1500, seed=21, violation_rate=0.2)
    feed = write_feed(folder / "feed.jsonl", records)
    feed.write_bytes(feed.read_bytes() + BAD_LINE)
    labels = folder / "labels.jsonl"
    labels.write_bytes(b"".join(orjson.dumps(r.label) + b"\n" for r in records[10:]))
    text = resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")
    marker = 'threshold: "10000"'
    assert marker in text
    pack = folder / "high-threshold.yaml"
    pack.write_text(text.replace(marker, 'threshold: "20000"', 1), "utf-8")
    return feed, labels, pack


def backtest_replay(feed: Path, labels: Path, pack: Path, out: Path) -> ReplayResult:
    names = pack_names([None, str(pack)])
    candidate = CandidatePack(names[1], replace(CTX, pack=load_rule_pack(pack)), pack)
    plan = BacktestPlan(names[0], (candidate,), read_labels(labels))
    return run_replay(FileSource([feed]), CTX, ReplayParams(), out, plan=plan)


@pytest.fixture(scope="module")
def result(
    inputs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> ReplayResult:
    feed, labels, pack = inputs
    return backtest_replay(feed, labels, pack, tmp_path_factory.mktemp("out") / "run")


def test_the_scores_agree_with_the_alerts_and_the_labels(
    inputs: tuple[Path, Path, Path], result: ReplayResult
) -> None:
    _, labels_path, _ = inputs
    labels = {d["payment_id"]: set(d["expected_rules"]) for d in lines(labels_path)}
    screened = [d["payment_id"] for d in lines(result.out_dir / "decisions.jsonl")]
    raised = pairs(result.out_dir / "alerts.jsonl")
    expected = {(p, rule) for p in screened if p in labels for rule in labels[p]}
    labelled_raised = {(p, rule) for p, rule in raised if p in labels}
    pack = result.report["backtest"]["packs"]["default"]
    for rule in {rule for _, rule in raised | expected}:
        mine = {pr for pr in labelled_raised if pr[1] == rule}
        wanted = {pr for pr in expected if pr[1] == rule}
        score = pack["rules"][rule]
        assert score["tp"] == len(mine & wanted), rule
        assert score["fp"] == len(mine - wanted), rule
        assert score["fn"] == len(wanted - mine), rule
        assert score["alerts"] == sum(1 for pr in raised if pr[1] == rule), rule
    overall = pack["overall"]
    assert overall["tp"] + overall["fp"] + overall["unlabelled_alerts"] == overall["alerts"]
    assert overall["alerts"] == result.report["counts"]["alerts"] > 0
    assert overall["tp"] + overall["fn"] == len(expected)
    assert overall["payments_unlabelled"] == 10  # the labels of the first ten were left out
    assert overall["payments_labelled"] + 10 == result.report["counts"]["payments"]
    unlabelled = set(screened) - labels.keys()
    assert overall["unlabelled_alerts"] == sum(1 for p, _ in raised if p in unlabelled)
    exact = sum(
        1 for p in screened if p in labels and labels[p] == {rule for q, rule in raised if q == p}
    )
    assert overall["payments_exact"] == exact


def test_a_changed_threshold_shows_as_a_difference(result: ReplayResult) -> None:
    backtest = result.report["backtest"]
    default = pairs(result.out_dir / "alerts.jsonl")
    high = pairs(result.out_dir / "alerts-high-threshold.jsonl")
    diff = {(d["payment_id"], d["rule"]) for d in backtest["diff"]}
    assert diff == default ^ high and diff
    assert {d["rule"] for d in backtest["diff"]} == {STRUCTURING}
    for d in backtest["diff"]:
        side = "default" if (d["payment_id"], d["rule"]) in default else "high-threshold"
        assert d["raised_by"] == [side] and len(d["not_raised_by"]) == 1
    counted = Counter(d["rule"] for d in backtest["diff"])
    assert sum(n for per in backtest["diff_summary"].values() for n in per.values()) == sum(
        counted.values()
    )
    scores = backtest["packs"]
    assert (
        scores["high-threshold"]["rules"].get(STRUCTURING, {}).get("alerts", 0)
        != scores["default"]["rules"][STRUCTURING]["alerts"]
    )
    assert scores["high-threshold"]["alerts_file"] == "alerts-high-threshold.jsonl"
    assert scores["high-threshold"]["digest"] != scores["default"]["digest"]


def test_report_json_schema(result: ReplayResult) -> None:
    doc = orjson.loads((result.out_dir / "report.json").read_bytes())
    backtest = doc["backtest"]
    assert set(backtest) >= {"packs", "diff", "diff_summary", "labels", "labels_not_screened"}
    assert list(backtest["packs"]) == ["default", "high-threshold"]
    for pack in backtest["packs"].values():
        assert set(pack) >= {"rules", "overall", "file", "version", "digest", "alerts_file"}
        assert set(pack["overall"]) >= SCORE_KEYS
        for score in pack["rules"].values():
            assert set(score) == SCORE_KEYS
            assert all(isinstance(score[k], int) for k in ("tp", "fp", "fn", "alerts"))
            for k in ("precision", "recall"):
                assert score[k] is None or 0.0 <= score[k] <= 1.0
    for d in backtest["diff"]:
        assert set(d) == {"payment_id", "rule", "raised_by", "not_raised_by", "expected"}
        assert d["expected"] in (True, False, None)
    assert backtest["labels"]["labels"] == 1490
    assert doc["software"]["name"] == "dinarwatch" and doc["software"]["version"]
    assert "alerts-high-threshold.jsonl" in doc["outputs"]


def test_the_page_reaches_every_alert_from_its_rule(result: ReplayResult) -> None:
    page = (result.out_dir / "report.html").read_text("utf-8")
    counts = result.report["counts"]
    for rule in counts["alerts_by_rule"]:
        assert f'<section id="rule-{rule}">' in page and f'href="#rule-{rule}"' in page
    alerts = lines(result.out_dir / "alerts.jsonl")
    assert len(alerts) == counts["alerts"] > 0
    for alert in alerts:
        assert f'id="alert-{alert["alert_id"]}"' in page
    assert page.count('<tr id="alert-') == len(alerts)
    for pack in ("default", "high-threshold"):
        assert f'id="backtest-{pack}"' in page
        assert f'data-pack="{pack}" data-rule="overall"' in page
    assert 'id="backtest-diff"' in page
    assert f"{result.report['software']['version']}" in page
    assert "<script" not in page


def test_rejected_records_are_listed_with_their_origin(
    inputs: tuple[Path, Path, Path], result: ReplayResult
) -> None:
    feed, _, _ = inputs
    page = (result.out_dir / "report.html").read_text("utf-8")
    (reject,) = lines(result.out_dir / "rejects.jsonl")
    assert reject["origin"] == f"{feed}:1501"
    assert 'id="rejected"' in page and f"<code>{feed}:1501</code>" in page
    assert reject["sha256"] in page


def test_a_backtest_replay_is_byte_identical_twice(
    inputs: tuple[Path, Path, Path], result: ReplayResult, tmp_path: Path
) -> None:
    feed, labels, pack = inputs
    again = backtest_replay(feed, labels, pack, tmp_path / "again")
    names = sorted(p.name for p in result.out_dir.iterdir())
    assert names == sorted(p.name for p in again.out_dir.iterdir())
    assert "report.html" in names and "alerts-high-threshold.jsonl" in names
    for name in names:
        assert (result.out_dir / name).read_bytes() == (again.out_dir / name).read_bytes(), name


def test_banks_named_with_and_without_bic_are_one_bank() -> None:
    banks = {
        "BABIIQBA": BankRow("Bank of Baghdad", 10, 2, 1, 1, {"Bank of Baghdad"}),
        "name:BANK OF BAGHDAD.": BankRow("BANK OF BAGHDAD.", 3, 1, 1, 0, {"BANK OF BAGHDAD."}),
        "name:Misk Islamic Bank": BankRow("Misk Islamic Bank", 2, 2, 2, 0, {"Misk Islamic Bank"}),
        "RAFBIQBA": BankRow("Rafidain", 4, 0, 0, 0, {"Rafidain", "Shared Name"}),
        "NBIQIQBA": BankRow("National", 4, 0, 0, 0, {"National", "Shared Name"}),
        "name:Shared Name": BankRow("Shared Name", 1, 0, 0, 0, {"Shared Name"}),
    }
    merged = merge_banks(banks)
    assert set(merged) == {
        "BABIIQBA",
        "name:Misk Islamic Bank",
        "RAFBIQBA",
        "NBIQIQBA",
        "name:Shared Name",  # two BICs carried that name: ambiguous, left apart
    }
    baghdad = merged["BABIIQBA"]
    assert (baghdad.payments, baghdad.alerts, baghdad.blocked, baghdad.without_bic) == (13, 3, 2, 3)
    assert baghdad.names == {"Bank of Baghdad", "BANK OF BAGHDAD."}
    assert banks["BABIIQBA"].payments == 10  # the input rows are left as they were


def test_a_replay_merges_the_bank_by_name(tmp_path: Path) -> None:
    feed = tmp_path / "banks.jsonl"
    with_bic = payment_line("P-1", "2025-03-01T08:00:00Z", "2025-03-01", {"bic": "EBILAEAD"})
    without = with_bic.replace(b'"debtor_agent":{"bic":"BABIIQBA",', b'"debtor_agent":{')
    assert without != with_bic
    feed.write_bytes(with_bic + without.replace(b"P-1", b"P-2"))
    result = run_replay(FileSource([feed]), CTX, ReplayParams(), tmp_path / "out")
    by_bank = result.report["counts"]["by_bank"]
    assert list(by_bank) == ["BABIIQBA"]
    assert by_bank["BABIIQBA"]["payments"] == 2 and by_bank["BABIIQBA"]["payments_without_bic"] == 1


def test_a_second_pack_leaves_the_replay_outputs_unchanged(
    inputs: tuple[Path, Path, Path], result: ReplayResult, tmp_path: Path
) -> None:
    feed, _, _ = inputs
    plain = run_replay(FileSource([feed]), CTX, ReplayParams(), tmp_path / "plain")
    for name in ("decisions.jsonl", "alerts.jsonl", "rejects.jsonl"):
        assert (plain.out_dir / name).read_bytes() == (result.out_dir / name).read_bytes(), name
    assert "backtest" not in plain.report
