"""RecordDecoder: how the worker's compacted-topic followers read one record."""

from __future__ import annotations

import logging

import pytest

from infra.topic_feed import RecordDecoder


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
