"""Replay runs: byte-identical outputs, list/pack versions in the report, retro-screening,
event-time order independent of input order and chunking, every input format."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest

from lists.files import builtin_lists, default_context, load_rule_pack
from offline.replay.runner import ReplayParams, ReplayResult, resolve_as_of, run_replay
from offline.replay.sources import FileSource
from offline.screen import SourceRecord, screen_records
from rules.context import ScreeningContext
from rules.lists.cbi import parse_cbi_usd_ban
from tests.unit.offline.replay.feeds import START, feed_records, payment_line, write_feed

CTX = default_context()
OUTPUT_FILES = ("decisions.jsonl", "alerts.jsonl", "rejects.jsonl", "report.json", "report.html")


def replay(
    inputs: list[Path],
    out: Path,
    ctx: ScreeningContext = CTX,
    params: ReplayParams | None = None,
) -> ReplayResult:
    return run_replay(FileSource(inputs), ctx, params or ReplayParams(), out)


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def mixed_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feed")
    return write_feed(folder / "feed.jsonl", feed_records(900, seed=11, fmt="mixed"))


def test_same_replay_twice_gives_identical_bytes(mixed_feed: Path, tmp_path: Path) -> None:
    first = replay([mixed_feed], tmp_path / "a")
    replay([mixed_feed], tmp_path / "b")
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    counts = first.report["counts"]
    assert counts["payments"] == 900 and counts["rejected"] == 0
    assert sum(counts["decisions"].values()) == 900
    assert counts["alerts"] == sum(counts["alerts_by_rule"].values()) > 50
    assert counts["alerts"] == len(lines(tmp_path / "a" / "alerts.jsonl"))
    assert len(lines(tmp_path / "a" / "decisions.jsonl")) == 900
    (source,) = first.report["input"]["files"]
    assert source["sha256"] == hashlib.sha256(mixed_feed.read_bytes()).hexdigest()
    assert source["records"] == 900
    digest = hashlib.sha256((tmp_path / "a" / "alerts.jsonl").read_bytes()).hexdigest()
    assert first.report["outputs"]["alerts.jsonl"]["sha256"] == digest


def test_decisions_are_stamped_with_event_time_not_the_clock(
    mixed_feed: Path, tmp_path: Path
) -> None:
    replay([mixed_feed], tmp_path)
    alerts = lines(tmp_path / "alerts.jsonl")
    assert all(a["raised_at"] == a["payment"]["created_at"] for a in alerts)
    decisions = lines(tmp_path / "decisions.jsonl")
    stamps = [datetime.fromisoformat(d["evaluated_at"]) for d in decisions]
    assert stamps == sorted(stamps) and START - timedelta(hours=3) <= stamps[0] <= START


def test_replay_alerts_equal_screening_in_input_order(mixed_feed: Path, tmp_path: Path) -> None:
    records = feed_records(900, seed=11, fmt="mixed")
    sources = [SourceRecord(r.label["payment_id"], r.value, r.content_type) for r in records]
    expected = {a.alert_id for s in screen_records(sources, CTX, None, 1 << 20) for a in s.alerts}  # type: ignore[union-attr]
    replay([mixed_feed], tmp_path)
    assert {a["alert_id"] for a in lines(tmp_path / "alerts.jsonl")} == expected


def test_a_changed_list_changes_its_version_and_hash_in_the_report(
    mixed_feed: Path, tmp_path: Path
) -> None:
    text = resources.files("rules.data").joinpath("cbi_usd_ban.yaml").read_text("utf-8")
    changed = text.replace(
        "[Misk Islamic Bank]", "[Misk Islamic Bank, Misk Bank for Islamic Finance]"
    )
    assert changed != text
    lists = builtin_lists().with_list(parse_cbi_usd_ban(changed))
    ctx = ScreeningContext.build(load_rule_pack(), lists)
    before = replay([mixed_feed], tmp_path / "before").report["lists"]
    after = replay([mixed_feed], tmp_path / "after", ctx).report["lists"]
    assert before["cbi-usd-ban"]["version"] != after["cbi-usd-ban"]["version"]
    assert before["cbi-usd-ban"]["sha256"] != after["cbi-usd-ban"]["sha256"]
    assert after["cbi-usd-ban"]["version"] == lists.versions()["cbi-usd-ban"]
    others = set(before) - {"cbi-usd-ban"}
    assert others and all(before[name] == after[name] for name in others)
    stamped = {
        f["list_version"]
        for a in lines(tmp_path / "after" / "alerts.jsonl")
        for f in a["findings"]
        if f.get("list") == "cbi-usd-ban"
    }
    assert stamped == {after["cbi-usd-ban"]["version"]}


def test_retro_screening_flags_a_payment_made_before_the_listing(tmp_path: Path) -> None:
    misk = {"name": "Misk Islamic Bank"}
    feed = tmp_path / "misk.jsonl"
    feed.write_bytes(
        payment_line("MISK-1", "2025-02-10T08:00:00Z", "2025-02-10", misk)
        + payment_line("CLEAN-1", "2025-02-10T09:00:00Z", "2025-02-10", {"bic": "EBILAEAD"})
    )
    by_value_date = replay([feed], tmp_path / "vd")
    assert by_value_date.report["counts"]["alerts"] == 0
    assert by_value_date.report["counts"]["decisions"] == {"pass": 2, "review": 0, "block": 0}

    as_of = resolve_as_of("now", today=date(2026, 1, 1))
    retro = replay(
        [feed], tmp_path / "now", params=ReplayParams(as_of=as_of, as_of_requested="now")
    )
    (alert,) = lines(tmp_path / "now" / "alerts.jsonl")
    (finding,) = alert["findings"]
    assert (alert["rule"], alert["payment"]["payment_id"]) == ("CBI-USD-BAN", "MISK-1")
    assert finding["retro"] is True and finding["listed_from"] == "2025-02-16"
    assert "after the payment's value date 2025-02-10 (retro-screening)" in finding["explanation"]
    decisions = {d["payment_id"]: d for d in lines(tmp_path / "now" / "decisions.jsonl")}
    assert decisions["MISK-1"]["decision"] == "block"
    assert decisions["MISK-1"]["evaluated_at"] == "2026-01-01T00:00:00Z"
    assert decisions["CLEAN-1"]["decision"] == "pass"
    counts, params = retro.report["counts"], retro.report["parameters"]
    assert counts["retro_alerts"] == 1 and counts["retro_alerts_by_rule"] == {"CBI-USD-BAN": 1}
    assert (params["as_of"], params["as_of_requested"]) == ("2026-01-01", "now")
    assert retro.report["amounts"]["usd_by_decision"]["block"] == "12500.00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("value-date", None), ("now", date(2026, 1, 1)), ("2025-03-01", date(2025, 3, 1))],
)
def test_resolve_as_of(text: str, expected: date | None) -> None:
    assert resolve_as_of(text, today=date(2026, 1, 1)) == expected


def test_resolve_as_of_rejects_other_words() -> None:
    with pytest.raises(ValueError, match="value-date, now or a date"):
        resolve_as_of("yesterday", today=date(2026, 1, 1))


def test_input_order_and_sort_chunks_do_not_change_the_outputs(tmp_path: Path) -> None:
    records = feed_records(700, seed=23, fmt="json")
    ordered = write_feed(tmp_path / "ordered.jsonl", records)
    shuffled_records = list(records)
    random.Random(5).shuffle(shuffled_records)
    shuffled = write_feed(tmp_path / "shuffled.jsonl", shuffled_records)
    base = replay([ordered], tmp_path / "ordered")
    moved = replay([shuffled], tmp_path / "shuffled")
    spilled = replay([shuffled], tmp_path / "spilled", params=ReplayParams(chunk_size=64))
    assert moved.order.out_of_order > 100 and spilled.order.spilled_runs == 700 // 64
    for name in ("decisions.jsonl", "alerts.jsonl"):
        expected = (tmp_path / "ordered" / name).read_bytes()
        assert (tmp_path / "shuffled" / name).read_bytes() == expected, name
        assert (tmp_path / "spilled" / name).read_bytes() == expected, name
    assert base.report["counts"]["alerts"] > 20


def test_gzip_and_a_directory_of_xml_and_mt_messages(tmp_path: Path) -> None:
    records = feed_records(120, seed=3, fmt="mixed")
    gz = write_feed(tmp_path / "feed.jsonl.gz", records)
    folder = tmp_path / "messages"
    folder.mkdir()
    suffix = {"application/xml": ".xml", "text/x-swift-mt": ".txt", "application/json": ".json"}
    for i, record in enumerate(records):
        (folder / f"{i:04d}{suffix[record.content_type]}").write_bytes(record.value)
    from_gz = replay([gz], tmp_path / "gz")
    from_dir = replay([folder], tmp_path / "dir")
    assert from_gz.report["counts"]["payments"] == from_dir.report["counts"]["payments"] == 120
    assert len(from_dir.report["input"]["files"]) == 120
    for name in ("decisions.jsonl", "alerts.jsonl"):
        assert (tmp_path / "gz" / name).read_bytes() == (tmp_path / "dir" / name).read_bytes()
    types = {d["message_type"] for d in lines(tmp_path / "gz" / "decisions.jsonl")}
    assert types == {"json", "pacs.008", "mt103"}


def test_a_candidate_rule_pack_is_replayed_and_recorded(mixed_feed: Path, tmp_path: Path) -> None:
    text = resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")
    pack = tmp_path / "candidate.yaml"
    pack.write_text(_without_fanout(text), "utf-8")
    ctx = default_context(pack)
    live = replay([mixed_feed], tmp_path / "live")
    what_if = replay([mixed_feed], tmp_path / "what-if", ctx, ReplayParams(rule_pack=pack))
    assert "USD-FANOUT" in live.report["counts"]["alerts_by_rule"]
    assert "USD-FANOUT" not in what_if.report["counts"]["alerts_by_rule"]
    recorded = what_if.report["rule_pack"]
    assert recorded["file"] == str(pack) and recorded["digest"] == ctx.pack.digest
    assert recorded["sha256"] == hashlib.sha256(pack.read_bytes()).hexdigest()
    assert recorded["digest"] != live.report["rule_pack"]["digest"]


def _without_fanout(text: str) -> str:
    marker = "USD-FANOUT:\n    enabled: true"
    assert marker in text
    return text.replace(marker, "USD-FANOUT:\n    enabled: false", 1)


def test_rejected_records_are_listed_with_their_reason(tmp_path: Path) -> None:
    feed = tmp_path / "bad.jsonl"
    good = payment_line("OK-1", "2025-03-01T08:00:00Z", "2025-03-01", {"bic": "EBILAEAD"})
    feed.write_bytes(good + b'{"payment_id": "BAD-1"}\n' + b"not json at all\n")
    result = replay([feed], tmp_path / "out")
    rejects = lines(tmp_path / "out" / "rejects.jsonl")
    assert [r["origin"] for r in rejects] == [f"{feed}:2", f"{feed}:3"]
    assert {r["reason"] for r in rejects} == {"json-schema", "unknown-format"}
    assert result.report["counts"]["rejected"] == 2
    assert result.report["counts"]["payments"] == 1
