"""Bank message formats through the real worker: pacs.008 / MT103 / JSON mixed traffic, an
MT202COV hiding a barred bank in sequence B, and hostile XML going to the dead-letter topic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from generator.publish import make_producer, publish
from generator.renderers import formats_for, renderers
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra import topics as names
from infra.admin import create_topics
from screening.deadletter import headers_as_dict
from tests.integration.pipeline import WorkerProcess, pipeline_settings, read_topic
from tests.kafka_broker import unique_topic_prefix
from tests.unit.schemas.parsers.test_safety import BILLION_LAUGHS, XXE

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 2, 6, tzinfo=UTC)

# Sequence B names Ashur International Bank (CBI-barred since 2024-02-04) as intermediary.
MT202COV_VIA_ASHUR = (
    "{1:F01BOFAUS3NAXXX0000000000}{2:O2021015250602TRIQIQBAAXXX12345678902506021016N}"
    "{3:{119:COV}{121:21111111-2222-4333-8444-555555555555}}{4:\n"
    ":20:COVASHUR1\n:21:REF-ASHUR\n:32A:250602USD48000,00\n:52A:TRIQIQBA\n:57A:CITIUS33\n"
    ":58A:EBILAEAD\n"
    ":50K:/IQ20TRIQ001000000000123\nBABEL FOOD INDUSTRIES\nBAGHDAD\n:52A:TRIQIQBA\n"
    ":56A:AIBIIQBA\n:57A:EBILAEAD\n:59:/AE070331234567890123456\nGULF HORIZON TRADING LLC\n"
    ":70:INV 4411\n:33B:USD48000,00\n-}"
)


def test_mixed_formats_cover_payment_and_hostile_xml(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = pipeline_settings(kafka_bootstrap, unique_topic_prefix("fmt"), tmp_path)
    create_topics(settings)
    spec = TrafficSpec(
        count=600,
        seed=17,
        start=START,
        violation_rate=0.15,
        formats=formats_for("mixed"),
        renderers=renderers(),
    )
    good = list(generate(spec))
    special = [
        GeneratedRecord(b"cov", MT202COV_VIA_ASHUR.encode(), "text/x-swift-mt", {}),
        GeneratedRecord(b"bomb", BILLION_LAUGHS, "application/xml", {}),
        GeneratedRecord(b"xxe", XXE, "application/xml", {}),
    ]
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        producer = make_producer(settings)
        publish(good + special, producer, settings.topic(names.RAW), rate=0)
        producer.close()
        decisions = read_topic(
            kafka_bootstrap,
            settings.topic(names.DECISIONS),
            lambda rs: len({r.key for r in rs}) >= len(good) + 1,
            timeout=120,
        )
        dlq = read_topic(kafka_bootstrap, settings.topic(names.DLQ), lambda rs: len(rs) >= 2, 60)
    finally:
        worker.stop()
    by_id = {r.key.decode(): orjson.loads(r.value) for r in decisions}
    for record in good:
        decision = by_id[record.label["payment_id"]]
        assert sorted({f["rule"] for f in decision["findings"]}) == record.label["expected_rules"]
    assert {d["message_type"] for d in by_id.values()} >= {"json", "pacs.008", "mt103", "mt202cov"}
    cover = by_id["COVASHUR1"]
    assert cover["decision"] == "block"
    (finding,) = [f for f in cover["findings"] if f["rule"] == "CBI-USD-BAN"]
    assert finding["matched"] == "AIBIIQBA"
    assert finding["field"].startswith("intermediary_agents")
    rejected = {r.key: (r.value, headers_as_dict(r.headers)) for r in dlq}
    assert set(rejected) == {b"bomb", b"xxe"}
    for key, original in ((b"bomb", BILLION_LAUGHS), (b"xxe", XXE)):
        value, headers = rejected[key]
        assert value == original
        assert headers["dinarwatch-reason"] == "xml-forbidden-dtd"
