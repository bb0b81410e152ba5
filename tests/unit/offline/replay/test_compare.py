"""--compare: missing, extra and changed alerts against a live capture, each with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from lists.files import default_context
from offline.replay.compare import compare_alerts, read_alerts
from offline.replay.runner import ReplayParams, run_replay
from offline.replay.sources import FileSource
from tests.unit.offline.replay.feeds import feed_records, write_feed

CTX = default_context()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cmp")
    feed = write_feed(folder / "feed.jsonl", feed_records(600, seed=17))
    run_replay(FileSource([feed]), CTX, ReplayParams(), folder / "out")
    return folder / "out"


def alerts(out: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in (out / "alerts.jsonl").read_bytes().splitlines()]


def write(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def compare(live: Path, out: Path) -> Any:
    payments = {
        orjson.loads(x)["payment_id"] for x in (out / "decisions.jsonl").read_bytes().splitlines()
    }
    return compare_alerts(live, out / "alerts.jsonl", CTX.lists.versions(), payments)


def test_the_same_alerts_raised_at_another_time_are_identical(
    replayed: Path, tmp_path: Path
) -> None:
    docs = [{**a, "raised_at": "2026-01-05T10:00:00Z"} for a in alerts(replayed)]
    result = compare(write(tmp_path / "live.jsonl", docs), replayed)
    assert not result.differs
    assert result.identical == result.live == result.replay == len(docs) > 20


def test_an_alert_live_did_not_raise_is_extra(replayed: Path, tmp_path: Path) -> None:
    docs = alerts(replayed)
    dropped = docs.pop(3)
    result = compare(write(tmp_path / "live.jsonl", docs), replayed)
    (diff,) = result.diffs
    assert (diff.kind, diff.alert_id, diff.rule) == ("extra", dropped["alert_id"], dropped["rule"])
    assert diff.reasons == (f"findings differ: live raised no {dropped['rule']} alert here",)


def test_an_alert_for_a_payment_outside_the_replay_is_missing(
    replayed: Path, tmp_path: Path
) -> None:
    docs = alerts(replayed)
    ghost = {
        **docs[0],
        "alert_id": "f" * 32,
        "payment": {**docs[0]["payment"], "payment_id": "GHOST-1"},
    }
    result = compare(write(tmp_path / "live.jsonl", [*docs, ghost]), replayed)
    (diff,) = result.diffs
    assert (diff.kind, diff.payment_id) == ("missing", "GHOST-1")
    assert diff.reasons == ("payment GHOST-1 is not in the replay input",)


def test_a_different_list_version_is_named(replayed: Path, tmp_path: Path) -> None:
    docs = alerts(replayed)
    index = next(i for i, a in enumerate(docs) if a["rule"] == "CBI-USD-BAN")
    old = docs[index]
    findings = [{**f, "list_version": "2024-02-04+000000000000"} for f in old["findings"]]
    docs[index] = {**old, "findings": findings}
    result = compare(write(tmp_path / "live.jsonl", docs), replayed)
    (diff,) = result.diffs
    assert diff.kind == "changed" and diff.alert_id == old["alert_id"]
    current = CTX.lists.versions()["cbi-usd-ban"]
    assert diff.reasons == (
        f"list version differs: cbi-usd-ban (live 2024-02-04+000000000000, replay {current})",
    )


def test_a_different_rule_pack_version_explains_missing_and_extra(
    replayed: Path, tmp_path: Path
) -> None:
    docs = alerts(replayed)
    old = docs[0]
    docs[0] = {**old, "alert_id": "e" * 32, "rule_pack_version": "2024.1.0"}
    result = compare(write(tmp_path / "live.jsonl", docs), replayed)
    kinds = {d.kind: d for d in result.diffs}
    assert set(kinds) == {"missing", "extra"} and len(result.diffs) == 2
    assert (
        kinds["missing"].reasons[0].startswith("rule pack version differs (live 2024.1.0, replay ")
    )
    assert kinds["extra"].alert_id == old["alert_id"]
    assert kinds["extra"].reasons[0] == (
        f"rule pack version differs (live 2024.1.0, replay {old['rule_pack_version']})"
    )


def test_changed_findings_and_action_are_described(replayed: Path, tmp_path: Path) -> None:
    docs = alerts(replayed)
    old = docs[1]
    finding = {**old["findings"][0], "score": 0.5}
    docs[1] = {
        **old,
        "action": "review" if old["action"] == "block" else "block",
        "findings": [finding],
    }
    (diff,) = compare(write(tmp_path / "live.jsonl", docs), replayed).diffs
    assert diff.kind == "changed"
    assert any(r.startswith("findings differ:") and "(score)" in r for r in diff.reasons)
    assert any(r.startswith("action differs (live ") for r in diff.reasons)


def test_topic_dumps_and_duplicates_are_read(replayed: Path, tmp_path: Path) -> None:
    docs = alerts(replayed)
    dump = [{"key": d["alert_id"], "value": orjson.dumps(d).decode()} for d in docs]
    live = write(tmp_path / "dump.jsonl", [*dump, dump[0]])
    by_id, duplicates = read_alerts(live)
    assert len(by_id) == len(docs) and duplicates == 1
    result = compare(live, replayed)
    assert not result.differs and result.live_duplicates == 1


def test_a_line_that_is_not_an_alert_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an alert record"):
        read_alerts(write(tmp_path / "x.jsonl", [{"payment_id": "x"}]))
