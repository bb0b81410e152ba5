"""The watchlists wire format, the override state and the reloader (no broker needed)."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import date
from importlib import resources

import orjson
import pytest

from infra.topics import TOPICS, WATCHLISTS
from lists.files import builtin_lists, default_context
from lists.wire import (
    COMPRESS_ABOVE,
    MAX_RECORD_BYTES,
    MalformedRecord,
    decode_record,
    encode_list,
    encode_pack,
    list_key,
    pack_key,
)
from rules.context import ScreeningContext
from rules.lists.base import ReferenceList
from rules.lists.cbi import CBI_LIST
from rules.pack import parse_rule_pack
from schemas.listentry import ListEntry
from streams.runtime import WorkerRuntime
from streams.watchlists import Reloader, WatchlistMetrics, WatchlistState, rebuild_context


def cbi() -> ReferenceList:
    found = builtin_lists().get(CBI_LIST)
    assert found is not None
    return found


def with_extra_entry(reference: ReferenceList) -> ReferenceList:
    extra = ListEntry(
        entry_id="cbi-t-tigris",
        list_name=reference.name,
        kind="bank",
        names=["Tigris Valley Commercial Bank"],
        bics=["TGVBIQBA"],
        currency_scope=["USD"],
        listed_from=date(2025, 3, 1),
        legal_source="test circular",
    )
    return ReferenceList.build(
        reference.name,
        [*reference.entries, extra],
        title=reference.title,
        published=date(2025, 3, 1),
        source="file: test",
    )


def pack_text() -> str:
    return resources.files("rules.packs").joinpath("iraq.yaml").read_text("utf-8")


def test_list_round_trip_keeps_version_and_entries() -> None:
    reference = cbi()
    decoded = decode_record(list_key(reference.name), encode_list(reference))
    assert isinstance(decoded, ReferenceList)
    assert decoded == reference


def test_large_list_is_gzipped_and_round_trips() -> None:
    entries = [
        ListEntry(entry_id=f"big-{i}", list_name="big", names=[f"Name {i}"], legal_source="x")
        for i in range(2000)
    ]
    reference = ReferenceList.build("big", entries)
    value = encode_list(reference)
    assert value[:2] == b"\x1f\x8b"
    assert len(gzip.decompress(value)) > COMPRESS_ABOVE
    assert decode_record(b"big", value) == reference


def test_pack_round_trip_keeps_digest() -> None:
    text = pack_text()
    decoded = decode_record(b"rule-pack:iraq", encode_pack(text))
    assert decoded == parse_rule_pack(text)


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b"\x1f\x8b\x08 truncated gzip",
        b'{"format": "something-else"}',
        b'{"format": "dinarwatch.watchlist/1", "kind": "list"}',
        b'{"format": "dinarwatch.watchlist/1", "kind": "rule-pack", "text": "::"}',
        b"[]",
    ],
)
def test_malformed_values_are_rejected(value: bytes) -> None:
    with pytest.raises(MalformedRecord):
        decode_record(b"cbi-usd-ban", value)


def test_tampered_entries_fail_the_version_check() -> None:
    doc = orjson.loads(gzip.decompress(encode_list(cbi())))
    doc["entries"][0]["names"] = ["Someone Else Bank"]
    with pytest.raises(MalformedRecord, match="does not match its entries"):
        decode_record(b"cbi-usd-ban", orjson.dumps(doc))


def test_key_must_match_content() -> None:
    with pytest.raises(MalformedRecord, match="does not match its content"):
        decode_record(b"fincen-311", encode_list(cbi()))


def test_topic_accepts_the_largest_record() -> None:
    spec = next(t for t in TOPICS if t.name == WATCHLISTS)
    assert spec.compacted
    assert int(spec.kafka_configs(1_048_576)["max.message.bytes"]) >= MAX_RECORD_BYTES


def test_state_overrides_and_tombstones() -> None:
    ctx = default_context()
    state = WatchlistState.of(ctx)
    newer = with_extra_entry(cbi())
    assert state.apply(list_key(CBI_LIST), cbi()) == "unchanged"
    assert state.apply(list_key(CBI_LIST), newer) == "applied"
    assert state.list_set().get(CBI_LIST) == newer
    assert state.apply(list_key(CBI_LIST), None) == "removed"
    assert state.list_set().get(CBI_LIST) == cbi()
    assert state.apply(list_key(CBI_LIST), None) == "unchanged"


def test_state_applies_only_the_workers_own_pack() -> None:
    state = WatchlistState.of(default_context())
    other = parse_rule_pack(pack_text().replace("name: iraq", "name: what-if", 1))
    assert state.apply(pack_key("what-if"), other) == "ignored"
    changed = parse_rule_pack(pack_text() + "\n# a comment changes the digest\n")
    assert state.apply(pack_key("iraq"), changed) == "applied"
    assert state.current_pack() == changed
    assert state.apply(pack_key("iraq"), None) == "removed"
    assert state.current_pack() == default_context().pack


def test_rebuild_reuses_unchanged_indexes() -> None:
    ctx = default_context()
    lists = ctx.lists.with_list(with_extra_entry(cbi()))
    rebuilt = rebuild_context(ctx, lists, ctx.pack)
    assert rebuilt.indexes["iran-banks"] is ctx.indexes["iran-banks"]
    assert rebuilt.indexes[CBI_LIST] is not ctx.indexes[CBI_LIST]
    assert rebuilt.indexes[CBI_LIST].by_bic8["TGVBIQBA"][0].entry_id == "cbi-t-tigris"


def test_rebuild_keeps_other_context_fields() -> None:
    ctx = default_context()
    dated = replace(ctx, as_of=date(2024, 1, 1)) if hasattr(ctx, "as_of") else ctx
    rebuilt = rebuild_context(dated, dated.lists, dated.pack)
    assert rebuilt == dated


def reloader() -> Reloader:
    runtime = WorkerRuntime(default_context())
    return Reloader(runtime, WatchlistMetrics.register(runtime), WatchlistState.of(runtime.context))


def sample(r: Reloader, name: str, outcome: str) -> float:
    value = r.runtime.metrics.registry.get_sample_value(name, {"outcome": outcome})
    return value or 0.0


def test_reloader_skips_malformed_and_swaps_once() -> None:
    r = reloader()
    before: ScreeningContext = r.runtime.context
    newer = with_extra_entry(cbi())
    records = [
        (b"cbi-usd-ban", b"garbage"),
        (None, b"{}"),
        (b"cbi-usd-ban", encode_list(newer)),
    ]
    assert r.absorb(records)
    r.reload_now()
    assert r.runtime.context is not before
    assert r.runtime.context.lists.versions()[CBI_LIST] == newer.version
    assert sample(r, "dinarwatch_watchlist_records_total", "malformed") == 2
    assert sample(r, "dinarwatch_watchlist_records_total", "applied") == 1


def test_reloader_ignores_repeats() -> None:
    r = reloader()
    assert not r.absorb([(b"cbi-usd-ban", encode_list(cbi()))])
    assert sample(r, "dinarwatch_watchlist_records_total", "unchanged") == 1


def test_failed_rebuild_keeps_previous_context(monkeypatch: pytest.MonkeyPatch) -> None:
    r = reloader()
    before = r.runtime.context
    r.absorb([(b"cbi-usd-ban", encode_list(with_extra_entry(cbi())))])

    def boom() -> ScreeningContext:
        raise RuntimeError("index build failed")

    monkeypatch.setattr(r, "build", boom)
    r.reload_now()
    assert r.runtime.context is before
    failures = r.runtime.metrics.registry.get_sample_value(
        "dinarwatch_watchlist_reload_failures_total"
    )
    assert failures == 1


def test_record_outcomes_exist_at_zero_before_any_record() -> None:
    """Prometheus' increase() misses a series' first increment unless it was scraped at 0."""
    r = reloader()
    for outcome in ("applied", "unchanged", "removed", "ignored", "malformed"):
        assert sample(r, "dinarwatch_watchlist_records_total", outcome) == 0
