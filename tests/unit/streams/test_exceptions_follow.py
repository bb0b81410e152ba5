"""The workers' side of exceptions without a broker: records in, the context's exception set out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest

from infra.topics import EXCEPTIONS, TOPICS
from lists.files import load_rule_pack
from rules.context import ScreeningContext
from rules.lists.base import ListSet
from rules.suppression import ExceptionSet
from screening.exception_wire import MalformedException, decode_exception, exception_record
from streams.exceptions_follow import ExceptionFollower, ExceptionMetrics
from streams.runtime import WorkerRuntime

EXPIRES = datetime(2025, 7, 1, tzinfo=UTC)


def _value(exception_id: int, status: str = "active") -> bytes:
    return orjson.dumps(
        exception_record(
            exception_id=exception_id,
            status=status,
            rule="OFAC-SDN",
            entry_id="ofac-sdn-47348",
            list_name="ofac-sdn",
            party_fingerprint="hamad al moussawi|AE07*3456",
            entry_hash="ab" * 32,
            expires_at=EXPIRES,
        )
    )


def _follower() -> ExceptionFollower:
    runtime = WorkerRuntime(ScreeningContext.build(load_rule_pack(), ListSet({})))
    return ExceptionFollower(runtime, ExceptionMetrics.register(runtime))


def test_the_topic_is_compacted() -> None:
    spec = next(t for t in TOPICS if t.name == EXCEPTIONS)
    assert spec.kafka_configs(1024)["cleanup.policy"] == "compact"


def test_active_records_are_held_and_others_remove() -> None:
    follower = _follower()
    changed = follower.absorb([(b"1", _value(1)), (b"2", _value(2)), (b"bad", b"{")])
    assert changed
    follower.swap()
    held = follower.runtime.context.exceptions
    assert len(held) == 2 and held.by_key[("OFAC-SDN", "ofac-sdn-47348")][0].exception_id == "1"
    follower.absorb([(b"1", _value(1, "revoked")), (b"2", None)])  # revoked, tombstone
    follower.swap()
    assert len(follower.runtime.context.exceptions) == 0
    assert follower.metrics.records.labels("malformed")._value.get() == 1


def test_a_rebuilt_context_gets_the_set_back() -> None:
    follower = _follower()
    follower.absorb([(b"1", _value(1))])
    follower.swap()
    runtime = follower.runtime
    runtime.swap_context(replace(runtime.context, exceptions=ExceptionSet()))  # a stale rebuild
    follower.ensure_swapped()
    assert len(runtime.context.exceptions) == 1


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        (b"9", _value(1), "does not match"),
        (b"1", b'{"format": "other"}', "unknown format"),
        (b"1", orjson.dumps({**orjson.loads(_value(1)), "expires_at": "2025-07-01"}), "zone"),
    ],
)
def test_malformed_records(key: bytes, value: bytes, problem: str) -> None:
    with pytest.raises(MalformedException, match=problem):
        decode_exception(key, value)
