"""infra.topic_feed's shared steps: decoding one record (RecordDecoder) and the catch-up read
that never stops a worker from starting (catch_up)."""

from __future__ import annotations

import logging

import pytest

from infra import topic_feed
from infra.settings import Settings
from infra.topic_feed import RecordDecoder, Records, TopicFeed


class Rejected(ValueError):
    pass


def _decode(key: bytes, value: bytes) -> str:
    if value == b"reject":
        raise Rejected("not this format " + "x" * 100)
    if value == b"crash":
        raise KeyError("bug")
    return value.decode()


LOG = logging.getLogger("test.record_decoder")
DECODER = RecordDecoder("things", _decode, Rejected, LOG, detail=20)


def test_item_and_tombstone_keep_their_key() -> None:
    assert DECODER(b"k", b"v") == (b"k", "v")
    assert DECODER(b"k", None) == (b"k", None)


@pytest.mark.parametrize(
    ("key", "value", "logged"),
    [
        (None, b"v", "things record without a key skipped"),
        (b"", b"v", "things record without a key skipped"),
        (b"k", b"reject", "things record b'k' skipped: not this format xxxx"),
        (b"k", b"crash", "things record b'k' skipped: unexpected error"),
    ],
)
def test_bad_records_are_logged_and_skipped(
    caplog: pytest.LogCaptureFixture, key: bytes | None, value: bytes, logged: str
) -> None:
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        assert DECODER(key, value) is None
    assert [r.getMessage() for r in caplog.records] == [logged]
    assert caplog.records[0].name == LOG.name


def _feed() -> TopicFeed:
    return TopicFeed(Settings(), "watchlists", "test")


def test_catch_up_applies_what_the_whole_read_found(monkeypatch: pytest.MonkeyPatch) -> None:
    records: Records = [(b"a", b"1"), (b"b", None)]
    monkeypatch.setattr(topic_feed, "read_whole", lambda feed, timeout: (records, {0: 2}))
    applied: list[tuple[Records, dict[int, int]]] = []

    count = topic_feed.catch_up(
        _feed(), 1.0, lambda r, p: applied.append((r, p)), LOG, "with nothing"
    )
    assert count == 2 and applied == [(records, {0: 2})]


def test_catch_up_starts_without_a_missing_topic(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(topic_feed, "read_whole", lambda feed, timeout: None)
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert topic_feed.catch_up(_feed(), 1.0, _never, LOG, "with nothing") == 0
    topic = _feed().topic
    assert [r.getMessage() for r in caplog.records] == [
        f"topic {topic} not found: starting with nothing"
    ]


@pytest.mark.parametrize("failing", ["read", "apply"])
def test_catch_up_starts_without_after_any_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, failing: str
) -> None:
    def read(feed: TopicFeed, timeout: float) -> tuple[Records, dict[int, int]]:
        if failing == "read":
            raise OSError("broker unreachable")
        return [(b"a", b"1")], {0: 1}

    monkeypatch.setattr(topic_feed, "read_whole", read)
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        assert topic_feed.catch_up(_feed(), 1.0, _never, LOG, "with nothing") == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"reading {_feed().topic} failed: starting with nothing"
    ]


def _never(records: Records, positions: dict[int, int]) -> None:
    raise RuntimeError("apply failed")
