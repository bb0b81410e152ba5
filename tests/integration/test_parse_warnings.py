"""Real MT messages with harmless quirks through the real worker: screened, the quirk named in
the decision's parse_warnings; only the unreadable one is dead-lettered.

The quirky messages are the prowide samples (../shared) mutated as real traffic deviates:
a text block closed '-}}' and a block 1 without 'F01' (both were dead-lettered before).
Every payment goes through payments.valid (screen_at_ingest off), so the warnings also
survive the hop between the agents.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from generator.publish import make_producer, publish
from generator.traffic import GeneratedRecord
from infra import topics as names
from infra.admin import create_topics
from screening.deadletter import headers_as_dict
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix
from tests.unit.schemas.parsers.samples import prowide_mt103_chunks

pytestmark = pytest.mark.integration
MT = "text/x-swift-mt"


def test_quirky_mt_is_screened_with_its_warnings(kafka_bootstrap: str, tmp_path: Path) -> None:
    chunks = [text for _, text in prowide_mt103_chunks()]
    assert len(chunks) >= 4, "prowide samples missing from ../shared"
    # distinct payment ids (several samples share field 20), so each decision is found by id
    ids = ["QUIRK-BRACES", "QUIRK-NO-F01", "QUIRK-CLEAN", "QUIRK-BROKEN"]
    texts = [
        re.sub(r"^:20:.*$", f":20:{i}", t, count=1, flags=re.M)
        for t, i in zip(chunks, ids, strict=False)
    ]
    records = [
        GeneratedRecord(b"braces", texts[0].replace("\n-}", "\n-}}").encode(), MT, {}),
        GeneratedRecord(b"no-f01", texts[1].replace("{1:F01", "{1:").encode(), MT, {}),
        GeneratedRecord(b"clean", texts[2].encode(), MT, {}),
        GeneratedRecord(b"broken", texts[3].replace("\n-}", "").encode(), MT, {}),
    ]
    settings = pipeline_settings(
        kafka_bootstrap, unique_topic_prefix("quirk"), tmp_path, screen_at_ingest=False
    )
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        producer = make_producer(settings)
        publish(records, producer, settings.topic(names.RAW), rate=0)
        producer.close()
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: {r.key.decode() for r in rs} >= set(ids[:3]),
            timeout=120,
        )
        dlq = read_topic(kafka_bootstrap, settings.topic(names.DLQ), lambda rs: len(rs) >= 1, 60)
    finally:
        worker.stop()
    by_id = {r.key.decode(): orjson.loads(r.value) for r in decisions}
    assert set(by_id) == set(ids[:3])
    (braces,) = by_id["QUIRK-BRACES"]["parse_warnings"]
    assert braces.endswith("an extra '}' after block 4 ignored")
    assert by_id["QUIRK-NO-F01"]["parse_warnings"] == [
        "block 1 lacks its application and service id 'F01'"
    ]
    assert by_id["QUIRK-CLEAN"]["parse_warnings"] == []
    assert [r.key for r in dlq] == [b"broken"]
    assert headers_as_dict(dlq[0].headers)["dinarwatch-reason"] == "mt-structure"
